"""The only way code written by process designers runs.

Scripts (BPMN script tasks) and expressions (gateway conditions, DMN cells, timer
expressions) are checked by an AST pass that names the offending line, then compiled
with RestrictedPython (defence in depth) and run against a small allow-list of builtins.

Policy, decided here once:

* refused: ``import``/``from ... import``; any name or attribute starting with ``_``;
  the names in :data:`FORBIDDEN_NAMES` anywhere (even as a data variable, so a diagram
  cannot shadow them); attributes in :data:`FORBIDDEN_ATTRIBUTES` (``str.format`` and
  frame/code introspection); ``global``/``nonlocal``; ``class``; ``async``/``await``;
  ``yield``; ``with``; ``match``; assignment expressions (``:=``) inside expressions; ``while``
  (process tests run scripts on every save of a draft: a loop must end).
* allowed: ``def`` and ``lambda`` (functions a script defines are not kept in task data),
  ``for`` loops and comprehensions of at most ``iteration.MAX_ITERATIONS`` items each (so one
  over a list it keeps growing ends too), ``range()`` of at most as many numbers, ``try``/``except``/
  ``raise`` (a few exception classes are in the builtins), ``print`` (output is discarded).
* the clock is the bank's: ``date.today()``, ``datetime.now()``/``today()`` and ``fromtimestamp()``
  read Beijing's calendar and wall clock (naive), never the server's UTC, so a script run at 01:00
  Beijing time dates its work that day. ``datetime.utcnow()`` stays UTC. The ``date`` and ``datetime``
  a script sees make and recognise (``isinstance``) plain standard dates, so task data holds only those.
* limited: every evaluation runs under ``limits.LIMITS`` (the one place they are set): an
  operation that would make too large an integer (``10**10**10``, ``pow``, ``<<``), string, list or tuple
  (``*``, ``+``, ``%``, ``join``, ``ljust``/``rjust``/``center``/``zfill``, ``replace``, ``str()`` and
  f-strings of huge values) is refused *before* it is computed, since C code holding the interpreter
  cannot be interrupted; loop and comprehension items, calls of functions the script defines, ranges and
  the items operations build all draw on one budget of steps per evaluation, and each step checks a
  wall-clock deadline (nested loops end). A caller bounds many evaluations together with
  ``limits.deadline`` (a draft's checks, one engine action). Past a limit: :class:`ScriptLimitExceeded`
  naming the line and the limit; a script's ``except`` cannot swallow it. ``print`` output is discarded
  unformatted. A comparison, ``in``, sort, ``min``/``max`` or set that would look at too many characters and
  items (a value held many times counted each time: ``[s] * n == [t] * n``) is refused before C runs it
  (``compare``); a dict or set lookup and a comparison with a literal are not weighed.
"""

from __future__ import annotations

import ast
import datetime as _dt
import decimal
import functools
import math
import re
import textwrap
import types
from collections.abc import Callable, Mapping
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from app.engine.bank_clock import BankDate, BankDateTime
from app.engine.sandbox import builtins as guarded
from app.engine.sandbox import compare, iteration, limits
from app.engine.sandbox.limits import LimitExceeded
from app.engine.sandbox.policy import DiscardedPrint, LimitedTransformer, counted

SCRIPT_FILENAME = "<script>"
EXPRESSION_FILENAME = "<expression>"

FORBIDDEN_NAMES = frozenset({
    "exec", "eval", "open", "compile", "globals", "locals", "vars", "getattr",
    "setattr", "delattr", "hasattr", "input", "breakpoint", "help", "memoryview",
    "type", "object", "super", "classmethod", "staticmethod", "property", "dir",
    "exit", "quit", "reload", "execfile", "copyright", "credits", "license",
})
# translate/maketrans can map each character to a long text: refused rather than estimated
FORBIDDEN_ATTRIBUTES = frozenset({"format", "format_map", "mro", "translate", "maketrans"}) | INSPECT_ATTRIBUTES

_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Import: "import is not allowed",
    ast.ImportFrom: "import is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.AsyncFunctionDef: "async is not allowed",
    ast.AsyncFor: "async is not allowed",
    ast.AsyncWith: "async is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.With: "with is not allowed",
    ast.Match: "match is not allowed",
    ast.While: "while loops are not allowed (a loop must end: use for over a list or a range)",
}


class SandboxViolation(Exception):
    """A construct the sandbox refuses, with the line it stands on (1-based)."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


class ScriptError(Exception):
    """A script or expression failed while running (not a sandbox refusal).

    ``line`` is the line of the designer's source that raised; ``message`` reads like
    ``"ZeroDivisionError: division by zero"``; the original exception is ``__cause__``.
    """

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class ScriptLimitExceeded(ScriptError):
    """A script or expression went past one of the sandbox's limits (``LIMITS``): the message names it."""


class _Checker(ast.NodeVisitor):
    """Collect every refused construct of one tree."""

    def __init__(self, expression: bool) -> None:
        self.expression = expression
        self.violations: list[SandboxViolation] = []

    def refuse(self, node: ast.AST, reason: str) -> None:
        self.violations.append(SandboxViolation(getattr(node, "lineno", None), reason))

    def generic_visit(self, node: ast.AST) -> None:
        reason = _REFUSED_NODES.get(type(node))
        if reason:
            self.refuse(node, reason)
        elif self.expression and isinstance(node, ast.NamedExpr):
            self.refuse(node, "assignment expressions are not allowed")
        elif isinstance(node, ast.Name):
            self._check_name(node, node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                self.refuse(node, f"attribute {node.attr!r} is not allowed (starts with '_')")
            elif node.attr in FORBIDDEN_ATTRIBUTES:
                self.refuse(node, f"attribute {node.attr!r} is not allowed")
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                self._check_name(node, node.name)
            for arg in ast.walk(node.args):
                if isinstance(arg, ast.arg):
                    self._check_name(arg, arg.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self._check_name(node, node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            self._check_name(node, node.arg)
        super().generic_visit(node)

    def _check_name(self, node: ast.AST, name: str) -> None:
        if name.startswith("_"):
            self.refuse(node, f"name {name!r} is not allowed (starts with '_')")
        elif name in FORBIDDEN_NAMES:
            self.refuse(node, f"{name} is not allowed")


_RP_LINE = re.compile(r"^Line (\d+): (.*)$", re.S)


def _check(source: str, mode: str) -> tuple[list[SandboxViolation], types.CodeType | None]:
    """Our AST pass, then RestrictedPython's own policy; returns violations and code."""
    filename = EXPRESSION_FILENAME if mode == "eval" else SCRIPT_FILENAME
    try:
        tree = ast.parse(source, filename, mode)
    except SyntaxError as exc:
        return [SandboxViolation(exc.lineno, f"syntax error: {exc.msg}")], None
    checker = _Checker(expression=mode == "eval")
    checker.visit(tree)
    if checker.violations:
        return sorted(checker.violations, key=lambda v: v.line or 0), None
    compile_mode = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_mode(source, filename, policy=LimitedTransformer)
    found = []
    for error in result.errors:
        match = _RP_LINE.match(error)
        found.append(SandboxViolation(int(match[1]), match[2]) if match
                     else SandboxViolation(None, error))
    return found, result.code


def _prepare_script(source: str) -> str:
    return textwrap.dedent(source)


def _prepare_expression(source: str) -> str:
    return source.strip()


def check_script(source: str) -> list[SandboxViolation]:
    """Every refused construct of a script, in line order; empty when it is acceptable."""
    return _check(_prepare_script(source), "exec")[0]


def check_expression(source: str) -> list[SandboxViolation]:
    """Every refused construct of an expression, in line order; empty when acceptable."""
    return _check(_prepare_expression(source), "eval")[0]


@functools.lru_cache(maxsize=4096)
def compile_script(source: str) -> types.CodeType:
    """Compile a script for :func:`run_script`; raise the first :class:`SandboxViolation`."""
    violations, code = _check(_prepare_script(source), "exec")
    if violations or code is None:
        raise violations[0] if violations else SandboxViolation(None, "nothing to run")
    return code


@functools.lru_cache(maxsize=4096)
def compile_expression(source: str) -> types.CodeType:
    """Compile an expression for :func:`evaluate`; raise the first violation."""
    violations, code = _check(_prepare_expression(source), "eval")
    if violations or code is None:
        raise violations[0] if violations else SandboxViolation(None, "nothing to run")
    return code


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


_RUNTIME_IMPORTS = frozenset({"time"})


def _runtime_import(name, globals=None, locals=None, fromlist=(), level=0):  # noqa: A002
    """The C datetime module imports ``time`` through the calling frame's builtins (e.g. in
    ``date.today()``); allow exactly that. Scripts can never call this themselves: names with
    a leading underscore and ``import`` statements are refused before anything runs."""
    if name not in _RUNTIME_IMPORTS or level:
        raise ImportError(f"import of {name!r} is not allowed")
    return __import__(name, globals, locals, fromlist, level)


_GUARDS: dict[str, Any] = {
    "__import__": _runtime_import,
    "_getattr_": guarded.getattr_,
    "_getitem_": guarded.subscript,
    "_getiter_": iteration.bounded_iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": guarded.inplacevar,
    "_apply_": _apply,
    "_print_": DiscardedPrint,
    "_mul_": limits.mul, "_pow_": limits.power, "_lshift_": limits.lshift, "_add_": limits.add,
    "_mod_": limits.mod, "_step_": limits.step, "_formatted_": limits.formatted,
    "_compared_": compare.compared, "_searched_": compare.searched, "_members_": compare.members,
    "_key_": compare.key,
    "_or_": compare.SET_OPS["|"], "_and_": compare.SET_OPS["&"], "_sub_": compare.SET_OPS["-"],
    "_xor_": compare.SET_OPS["^"],
}

SAFE_BUILTINS: Mapping[str, Any] = types.MappingProxyType({
    "None": None, "True": True, "False": False,
    "abs": abs, "all": all, "any": any, "bool": bool,
    "dict": guarded.guarded_type(dict, guarded.charged(compare.unique(dict))),
    "enumerate": iteration.stepped(enumerate), "filter": iteration.stepped(filter), "float": float,
    "int": guarded.guarded_type(int, guarded.int_call),
    "isinstance": isinstance, "len": len, "list": guarded.guarded_type(list, guarded.charged(list)),
    "map": iteration.stepped(map), "max": compare.max_, "min": compare.min_, "pow": limits.power, "range": iteration.bounded_range,
    "reversed": iteration.stepped(reversed), "round": guarded.round_, "set": guarded.guarded_type(set, guarded.charged(compare.unique(set))),
    "sorted": guarded.charged(compare.sorted_), "str": guarded.guarded_type(str, guarded.str_call), "sum": guarded.total,
    "tuple": guarded.guarded_type(tuple, guarded.charged(tuple)), "zip": iteration.stepped(zip),
    "sqrt": math.sqrt, "log": math.log, "exp": math.exp, "floor": guarded.floor,
    "ceil": guarded.ceil, "Decimal": decimal.Decimal, "date": BankDate,
    "datetime": BankDateTime, "timedelta": _dt.timedelta,
    "Exception": Exception, "ValueError": ValueError, "KeyError": KeyError,
    "TypeError": TypeError, "ArithmeticError": ArithmeticError,
    "ZeroDivisionError": ZeroDivisionError, "NameError": NameError,
})

_DEFAULT_BUILTINS = {**SAFE_BUILTINS, **_GUARDS}


def _builtins(functions: Mapping[str, Callable[..., Any]] | None) -> dict[str, Any]:
    if not functions:
        return _DEFAULT_BUILTINS
    bad = [name for name in functions if name.startswith("_") or name in FORBIDDEN_NAMES]
    if bad:
        raise ValueError(f"function names not allowed in the sandbox: {sorted(bad)}")
    return {**SAFE_BUILTINS, **functions, **_GUARDS}


def _script_error(exc: Exception | LimitExceeded, filename: str) -> ScriptError:
    """The designer's error, at the line of their code it was raised from (the last frame in ``filename``)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        line = tb.tb_lineno if tb.tb_frame.f_code.co_filename == filename else line
        tb = tb.tb_next
    if isinstance(exc, LimitExceeded):
        error: ScriptError = ScriptLimitExceeded(line, f"limit exceeded: {exc}")
    else:
        error = ScriptError(line, f"{type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error


def _is_helper(value: Any) -> bool:
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type,
                              types.ModuleType, DiscardedPrint))


def run_script(source: str, data: dict[str, Any],
               functions: Mapping[str, Callable[..., Any]] | None = None) -> None:
    """Run a script with ``data`` as its namespace (task data semantics).

    Names the script binds land in ``data``; names it deletes leave it. Builtins,
    ``functions``, guards and functions the script defines are never left in ``data``.
    On error no name binding is applied (in-place changes to mutable values may be)
    and :class:`ScriptError` is raised; a refused construct raises SandboxViolation.
    """
    code = compile_script(source)
    namespace: dict[str, Any] = dict(data)
    namespace["__builtins__"] = _builtins(functions)
    previous = limits.enter(script=True)
    try:
        exec(code, namespace)  # noqa: S102 - restricted code, guarded builtins
    except LimitExceeded as exc:
        limits.leave(previous)
        raise _script_error(exc, SCRIPT_FILENAME) from None
    except Exception as exc:  # noqa: BLE001 - every failure becomes a ScriptError
        exceeded = limits.leave(previous)
        raise _script_error(exceeded or exc, SCRIPT_FILENAME) from exc
    exceeded = limits.leave(previous)
    if exceeded:  # caught by a bare ``except:`` in the script: still past the limit
        raise _script_error(exceeded, SCRIPT_FILENAME) from None
    for name in [name for name in data if name not in namespace]:
        del data[name]
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if name in data and data[name] is value:
            continue
        if _is_helper(value):
            data.pop(name, None)
            continue
        data[name] = value


def evaluate(source: str, data: Mapping[str, Any],
             functions: Mapping[str, Callable[..., Any]] | None = None) -> Any:
    """Evaluate an expression against ``data``; errors raise :class:`ScriptError`."""
    code = compile_expression(source)
    namespace: dict[str, Any] = dict(data)
    namespace["__builtins__"] = _builtins(functions)
    if not counted(source):
        try:
            return eval(code, namespace)  # noqa: S307 - restricted code, guarded builtins
        except LimitExceeded as exc:
            raise _script_error(exc, EXPRESSION_FILENAME) from None
        except Exception as exc:  # noqa: BLE001
            raise _script_error(exc, EXPRESSION_FILENAME) from exc
    previous = limits.enter()
    try:
        result = eval(code, namespace)  # noqa: S307 - restricted code, guarded builtins
    except LimitExceeded as exc:
        limits.leave(previous)
        raise _script_error(exc, EXPRESSION_FILENAME) from None
    except Exception as exc:  # noqa: BLE001
        exceeded = limits.leave(previous)
        raise _script_error(exceeded or exc, EXPRESSION_FILENAME) from exc
    exceeded = limits.leave(previous)
    if exceeded:
        raise _script_error(exceeded, EXPRESSION_FILENAME) from None
    return result
