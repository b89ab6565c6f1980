"""Designers' code runs under limits it cannot escape: a huge power, repeat or padding is refused before it is
computed, nested loops and runaway recursion end on one budget of steps and seconds, and each refusal is a
ScriptError naming the line and the limit, in well under the time a hang would take."""

from __future__ import annotations

import threading
import time

import pytest

from app.engine.sandbox import ScriptLimitExceeded, evaluate, run_script
from app.engine.sandbox import limits as sandbox_limits
from app.engine.sandbox.limits import LIMITS

SCRIPTS = {
    "power": "x = 10**10**10",
    "pow()": "x = pow(10, 10**8)",
    "shift": "x = 1 << 10**9",
    "power then product": "x = 2**9999\ny = x * x",
    "nested loops": "for i in range(10**6):\n    for j in range(10**6):\n        pass",
    "string repeat": "x = 'a' * 10**9",
    "larger string repeat": "x = 'a' * 10**10",
    "list repeat": "x = [0] * 10**9",
    "doubling": "x = [1]\nfor i in range(40):\n    x += x",
    "string doubling": "x = 'ab'\nfor i in range(40):\n    x = x + x",
    "padding": "x = 'x'.ljust(10**10)",
    "zfill": "x = '1'.zfill(10**10)",
    "join of huge": "x = ''.join('a' * 10**6 for i in range(10**6))",
    "unbound join": "x = str.join('', ['a' * 10**6] * 10**6)",
    "replace": "x = 'ab'.replace('a', 'a' * 10**6).replace('a', 'a' * 10**6)",
    "printf width": "x = '%0999999999d' % 1",
    "printf star": "x = '%*d' % (10**9, 1)",
    "str of shared list": "x = ['a' * 10**6] * 10**6\ny = str(x)",
    "f-string of shared list": "x = ['a' * 10**6] * 10**6\ny = f'{x}'",
    "int of a huge decimal": "x = int(Decimal('9e999999'))",
    "floor of a huge decimal": "x = floor(Decimal('9e999999'))",
    "sum of lists": "x = sum([[0] * 1000] * 10**6, [])",
    "lists in a comprehension": "x = [[0] * 1000 for i in range(10**6)]",
    "exponential recursion": "def f(n):\n    return f(n - 1) + f(n - 1) if n else 1\nx = f(100)",
    "lambdas over strings": "x = list(map(lambda i: sum(map(lambda j: 1, 'a' * 10**6)), 'a' * 10**6))",
    "caught and ignored": "try:\n    x = 10**10**10\nexcept:\n    x = 1",
}


@pytest.mark.parametrize("source", SCRIPTS.values(), ids=SCRIPTS.keys())
def test_a_script_past_a_limit_is_refused_in_seconds_with_its_line(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(ScriptLimitExceeded) as caught:
        run_script(source, {})
    assert time.monotonic() - started < LIMITS.seconds + 1.5
    assert caught.value.line is not None and caught.value.message.startswith("limit exceeded: ")
    assert any(
        word in caught.value.message for word in ("limit is", "steps", "seconds", "not allowed", "numbers")
    )


def test_big_integer_arithmetic_is_refused_before_it_holds_the_interpreter() -> None:
    """``10**10**10`` ran in C for ever, and no other thread got the interpreter meanwhile."""
    ticks = []
    stop = threading.Event()

    def ticking() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    ticker = threading.Thread(target=ticking)
    ticker.start()
    try:
        with pytest.raises(ScriptLimitExceeded, match="integer of about"):
            run_script("x = 10**10**10", {})
        time.sleep(0.05)
    finally:
        stop.set()
        ticker.join()
    assert len(ticks) >= 2


EXPRESSIONS = {
    "condition": "amount > 10**10**10",
    "cell": "'a' * 10**10 == name",
    "timer": "'P' + str(10**10**10) + 'D'",
    "comprehension": "sum(1 for i in range(10**6) for j in range(10**6))",
}


@pytest.mark.parametrize("source", EXPRESSIONS.values(), ids=EXPRESSIONS.keys())
def test_conditions_cells_and_timer_expressions_have_the_same_limits(source: str) -> None:
    with pytest.raises(ScriptLimitExceeded):
        evaluate(source, {"amount": 5, "name": "x"})


def test_ordinary_code_still_runs_as_before() -> None:
    data = {"amounts": [3, 1, 2], "name": "acme"}
    run_script(
        "total = sum(amounts)\n"
        "label = ', '.join(str(a) for a in sorted(amounts)).upper() + '%05.1f' % 2.5\n"
        "kinds = isinstance(name, str) and isinstance(amounts, list) and isinstance({}, dict)\n"
        "padded = name.ljust(6, '.') + f'{total:>4}'\n"
        "big = 2**64 * 3 + (1 << 70) + int('12') + int(Decimal('1e20'))\n"
        "copy = list(amounts) + amounts[1:] + list(range(3))\n"
        "rows = [[i * j for j in range(100)] for i in range(100)]\n"
        "squared = pow(7, 2) + pow(3, 4, 5)\n"
        "text = str([1, 'a']) + str(5) + 'x' * 3\n"
        "print('discarded', text)\n",
        data,
    )
    assert data["total"] == 6 and data["label"] == "1, 2, 3002.5" and data["kinds"] is True
    assert data["padded"] == "acme..   6" and data["big"] == 2**64 * 3 + 2**70 + 12 + 10**20
    assert data["copy"] == [3, 1, 2, 1, 2, 0, 1, 2] and data["rows"][99][99] == 9801
    assert data["squared"] == 49 + 1 and data["text"] == "[1, 'a']5xxx"


def test_a_computed_or_huge_format_spec_is_refused_at_check_time() -> None:
    from app.engine.sandbox import check_expression, check_script

    assert "width or precision" in check_script("x = f'{1:>999999999}'")[0].reason
    assert "written out" in check_expression("f'{1:>{w}}'")[0].reason
    assert check_expression("f'{amount:,.2f}'") == []


def test_a_check_bounds_all_the_code_it_runs_together() -> None:
    """Each evaluation has its own seconds; a check's deadline ends them all, however many there are."""
    started = time.monotonic()
    refused = 0
    with sandbox_limits.deadline(0.5, "the test allows"):
        for _ in range(20):
            try:
                run_script("for i in range(10**6):\n    x = i", {})
            except ScriptLimitExceeded as exc:
                refused += 1
                assert "the 0.5 seconds the test allows" in exc.message
    assert refused >= 17 and time.monotonic() - started < 3  # the first ones may end before the deadline


def test_the_text_of_values_sharing_a_long_decimal_is_sized_by_its_digits() -> None:
    with pytest.raises(ScriptLimitExceeded, match="the text would have"):
        run_script("d = Decimal('1' * 900000)\nx = [d] * 20000\ny = str(x)", {})


def test_a_function_an_expression_made_spends_no_later_evaluation_s_budget() -> None:
    made = evaluate("lambda n: [i for i in range(n)]", {})
    time.sleep(0.01)
    assert len(made(10**6)) == 10**6  # outside any evaluation: a budget of its own, kept nowhere
    assert evaluate("'a' * 100 + name", {"name": "b"}) == "a" * 100 + "b"
    run_script("x = [i for i in range(10**6)]", {})  # a fresh budget, not what the call above spent
