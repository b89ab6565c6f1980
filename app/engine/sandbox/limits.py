"""The limits designers' code runs under, and the guards that keep them (used by :mod:`app.engine.sandbox`).

Big-integer arithmetic, string repeats and the like run in C and hold the interpreter: a thread timeout
cannot stop them once started. So each operation that can make a large value is guarded *before* it
computes: its result's size is estimated (bits of an integer, characters or items of a string, list or
tuple) and refused beyond :data:`LIMITS`; a comparison, search, sort or set, whose result is small, by what it
will look at (:mod:`app.engine.sandbox.compare`). Work that adds up is counted against one budget per evaluation
(a script, a condition, a cell): every loop item and comprehension item, every call of a function the
script defines, every statement, every range and every item an operation builds costs steps, and each
step checks the wall-clock deadline, so nested loops end too. An exceeded limit raises
:class:`LimitExceeded`, which ``except Exception`` in a script cannot catch; once exceeded, every later
step raises again. :func:`deadline` lets a caller bound many evaluations together (a draft's checks).
"""

from __future__ import annotations

import decimal
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one evaluation of designers' code may use (the one place they are set)."""

    seconds: float = 2.0  # wall clock of one script or expression
    steps: int = 5_000_000  # loop items, calls, statements and items built, all together
    length: int = 1_000_000  # characters or items of one string, list or tuple an operation makes
    int_bits: int = 10_000  # bits of an integer an operation makes (about 3,000 digits)
    depth: int = (
        100  # levels of lists, tuples, sets and dicts inside one another that a comparison or key may hold
    )
    compared: int = 20_000_000  # characters and items one comparison, search, sort or set may look at
    action_seconds: float = 10.0  # all the designers' code one engine action runs (a task completed, a timer)
    check_seconds: float = 15.0  # all the designers' code one check runs (a draft's save, a tests file)
    impact_seconds: float = 30.0  # a draft table's impact over the whole portfolio (one web request)


LIMITS = Limits()


class LimitExceeded(BaseException):  # noqa: N818 - not an Exception: a script's ``except Exception`` misses it
    """Designers' code went past one of :data:`LIMITS`; the message names the limit."""


class Budget:
    """The steps left and the deadline of one evaluation."""

    __slots__ = ("left", "ends", "exceeded")

    def __init__(self, ends: float) -> None:
        self.left = LIMITS.steps
        self.ends = ends
        self.exceeded: LimitExceeded | None = None  # the first, raised again by every later step

    def step(self, cost: int = 1) -> None:
        self.left -= cost
        if self.exceeded:
            raise self.exceeded
        if self.left < 0:
            self.fail(
                f"it took more than {LIMITS.steps:,} steps (loop items, calls and items built together)"
            )
        if time.monotonic() > self.ends:
            self.fail(f"it ran longer than {_seconds(self.ends)}")

    def fail(self, reason: str) -> None:
        self.exceeded = self.exceeded or LimitExceeded(reason)
        raise self.exceeded


class _State(threading.local):
    budget: Budget | None = None  # the evaluation running in this thread
    outer: tuple[float, str] | None = None  # (ends, what) of the earliest deadline() around this code


_state = _State()
_PENDING = Budget(0.0)  # an evaluation whose budget no guard has needed yet (never charged itself)


def _seconds(ends: float) -> str:
    outer = _state.outer
    return outer[1] if outer and outer[0] == ends else f"{LIMITS.seconds:g} seconds"


@contextmanager
def deadline(seconds: float, what: str) -> Iterator[None]:
    """Every evaluation inside ends by ``seconds`` from now (and by its own limit), in this thread; past it,
    the error says ``the {seconds} seconds {what}`` (e.g. "its whole check may take")."""
    previous = _state.outer
    ends = time.monotonic() + seconds
    _state.outer = previous if previous and previous[0] <= ends else (ends, f"the {seconds:g} seconds {what}")
    try:
        yield
    finally:
        _state.outer = previous


def current_deadline() -> tuple[float, str] | None:
    """(monotonic end, what it is, as an error names it) of the earliest :func:`deadline` in force here."""
    return _state.outer


def bounded_checks(seconds: float | None = None) -> Any:
    """:func:`deadline` of ``seconds`` (default ``LIMITS.check_seconds``: what a check on save or before
    deployment runs under)."""
    return deadline(LIMITS.check_seconds if seconds is None else seconds, "its whole check may take")


def enter(script: bool = False) -> Budget | None:
    """Begin one evaluation; give :func:`leave` what this returns. A script's budget is made now (it may
    catch an exception: the budget remembers the limit it passed); an expression's by the first guard that
    needs one."""
    previous = _state.budget
    _state.budget = _PENDING
    if script:
        _current()
    return previous


def leave(previous: Budget | None) -> LimitExceeded | None:
    """End the evaluation: its limit exceeded, if it was (even when the script caught it)."""
    ended = _state.budget
    _state.budget = previous
    return ended.exceeded if ended is not None else None


def _current() -> Budget:
    found = _state.budget
    if found is None or found is _PENDING:
        ends = time.monotonic() + LIMITS.seconds
        outer = _state.outer
        made = Budget(min(ends, outer[0]) if outer else ends)
        if found is None:  # a guard run outside any evaluation: a budget of its own, kept nowhere
            return made
        found = _state.budget = made
    return found


def step(cost: int = 1) -> None:
    _current().step(cost)


def refuse(what: str) -> None:
    found = _state.budget
    if found is None or found is _PENDING:  # an expression (it cannot catch this) that needed no budget yet
        raise LimitExceeded(what)
    found.fail(what)


def _charge(cost: int) -> None:
    found = _state.budget
    if found is not None and found is not _PENDING:
        found.step(cost)


def sized(size: int, what: str = "the result") -> None:
    if size > LIMITS.length:
        refuse(f"{what} would have {size:,} characters or items (the limit is {LIMITS.length:,})")
    if size > 64:
        _charge(size)


def bits(count: int) -> None:
    if count > LIMITS.int_bits:
        refuse(f"the result would be an integer of about {count:,} bits (the limit is {LIMITS.int_bits:,})")


SEQUENCES = (str, bytes, list, tuple)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_PLAIN = frozenset({float, bool, decimal.Decimal})  # operands no guard needs to look at


def mul(a: Any, b: Any) -> Any:
    if type(a) in _PLAIN or type(b) in _PLAIN:
        return a * b
    if is_int(a) and is_int(b):
        bits(a.bit_length() + b.bit_length())
    elif isinstance(a, SEQUENCES) and isinstance(b, int):
        sized(len(a) * max(b, 0))
    elif isinstance(b, SEQUENCES) and isinstance(a, int):
        sized(len(b) * max(a, 0))
    return a * b


def power(a: Any, b: Any, mod: Any = None) -> Any:
    if is_int(a) and is_int(b):
        if mod is not None:
            if is_int(mod):
                bits(max(b.bit_length(), mod.bit_length()))
        elif b > 0 and abs(a) > 1:
            bits(int(b * math.log2(abs(a))) + 1)
    elif isinstance(a, decimal.Decimal) and is_int(b):
        bits(b.bit_length())
    return a**b if mod is None else pow(a, b, mod)


def lshift(a: Any, b: Any) -> Any:
    if is_int(a) and is_int(b) and a and b > 0:
        bits(a.bit_length() + b)
    return a << b


def add(a: Any, b: Any) -> Any:
    if type(a) in _PLAIN or type(a) is int:
        return a + b
    if isinstance(a, SEQUENCES) and isinstance(b, SEQUENCES):
        sized(len(a) + len(b))
    return a + b


_PRINTF_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def mod(a: Any, b: Any) -> Any:
    if isinstance(a, (str, bytes)):
        text = a.decode("latin-1") if isinstance(a, bytes) else a
        padding = 0
        for width, precision in _PRINTF_SPEC.findall(text):
            if "*" in (width, precision):
                refuse("a * width or precision in a % format is not allowed")
            padding += int(width or 0) + int(precision or 0)
        values = b.values() if isinstance(b, dict) else b if isinstance(b, tuple) else (b,)
        sized(len(text) + padding + sum(text_size(v) for v in values))
    return a % b


_INPLACE = {"+=": add, "*=": mul, "**=": power, "<<=": lshift, "%=": mod}


def inplace(op: str, target: Any, value: Any, fallback: Any) -> Any:
    if (type(target) in _PLAIN or type(target) is int) and op in ("+=", "-=", "/=", "//="):
        return fallback(op, target, value)
    guard = _INPLACE.get(op)
    if guard is not None and not isinstance(target, list):
        return guard(target, value)
    if op == "+=" and isinstance(target, list):
        sized(len(target) + length(value))
    elif op == "*=" and isinstance(target, list) and isinstance(value, int):
        sized(len(target) * max(value, 0))
    return fallback(op, target, value)


def length(value: Any) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def text_size(value: Any) -> int:
    """About how many characters ``str(value)`` makes; counting stops once past the length limit."""
    return _text_size(value, frozenset(), {})


def _text_size(value: Any, seen: frozenset[int], decimals: dict[int, int]) -> int:
    if isinstance(value, (str, bytes)):
        return len(value) + 2
    if is_int(value):
        return value.bit_length() * 3 // 10 + 2
    if isinstance(value, decimal.Decimal):  # exact from a long text: as many digits (counted once per value)
        if id(value) not in decimals:
            decimals[id(value)] = len(value.as_tuple().digits) + 8
        return decimals[id(value)]
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        if id(value) in seen:
            return 5
        inner, total = seen | {id(value)}, 2
        items = [x for pair in value.items() for x in pair] if isinstance(value, dict) else value
        for item in items:
            total += _text_size(item, inner, decimals) + 2
            if total > LIMITS.length:
                break
        _charge(len(value))
        return total
    return 40


def formatted(value: Any) -> Any:
    """An f-string's value, once its text is known to be within the limit."""
    sized(text_size(value), "the text")
    return value
