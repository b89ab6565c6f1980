"""The sandbox refuses escapes at check time and runs ordinary designer code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from app.engine.sandbox import (
    SandboxViolation,
    ScriptError,
    check_expression,
    check_script,
    compile_expression,
    compile_script,
    evaluate,
    run_script,
)
from app.engine.sandbox import iteration as sandbox_iteration
from app.localtime import local_today

ESCAPES = [
    ("import os", "import is not allowed"),
    ("from os import path", "import is not allowed"),
    ("__import__('os')", "'__import__'"),
    ("().__class__", "'__class__'"),
    ("x.__dict__", "'__dict__'"),
    ("open('f')", "open is not allowed"),
    ("exec('1')", "exec is not allowed"),
    ("eval('1')", "eval is not allowed"),
    ("getattr(x, 'y')", "getattr is not allowed"),
    ("globals()", "globals is not allowed"),
    ("type(x)", "type is not allowed"),
    ("'{0.__class__}'.format(x)", "'format'"),
    ("'{}'.format(x)", "'format'"),
    ("g.gi_frame", "'gi_frame'"),
    ("vars()", "vars is not allowed"),
]


@pytest.mark.parametrize(("source", "reason"), ESCAPES)
def test_escape_refused_in_script_with_line(source: str, reason: str) -> None:
    violations = check_script(
        f"a = 1\ny = {source}" if not source.startswith(("import", "from")) else f"a = 1\n{source}"
    )
    assert violations, source
    assert violations[0].line == 2
    assert reason in violations[0].reason
    assert str(violations[0]).startswith("line 2: ")


@pytest.mark.parametrize(
    ("source", "reason"), [e for e in ESCAPES if not e[0].startswith(("import", "from"))]
)
def test_escape_refused_in_expression(source: str, reason: str) -> None:
    violations = check_expression(source)
    assert violations and violations[0].line == 1
    assert reason in violations[0].reason


@pytest.mark.parametrize(("source", "_reason"), ESCAPES)
def test_escape_cannot_run(source: str, _reason: str) -> None:
    data = {"x": {"y": 1}, "g": None}
    with pytest.raises(SandboxViolation):
        run_script(source, data)
    if not source.startswith(("import", "from")):
        with pytest.raises(SandboxViolation):
            evaluate(source, data)
    assert data == {"x": {"y": 1}, "g": None}


@pytest.mark.parametrize(
    "source",
    [
        "global a",
        "class A:\n    pass",
        "async def f():\n    pass",
        "def f():\n    yield 1",
        "with x as y:\n    pass",
        "_private = 1",
        "def f(__x):\n    return 1",
        "try:\n    pass\nexcept Exception as _e:\n    pass",
    ],
)
def test_refused_constructs(source: str) -> None:
    assert check_script(source)


def test_expression_refuses_assignment_expression() -> None:
    assert "assignment" in check_expression("(y := 1)")[0].reason


def test_syntax_error_is_a_violation_with_its_line() -> None:
    violations = check_script("a = 1\nb = (\n")
    assert len(violations) == 1
    assert violations[0].line == 2
    assert violations[0].reason.startswith("syntax error")
    assert check_expression("1 +")[0].line == 1


def test_compile_caches_and_raises_first_violation() -> None:
    assert compile_script("a = 1") is compile_script("a = 1")
    assert compile_expression("a + 1") is compile_expression("a + 1")
    with pytest.raises(SandboxViolation) as error:
        compile_script("a = 1\nimport os\nopen('x')")
    assert error.value.line == 2
    assert str(error.value) == "line 2: import is not allowed"


def test_ordinary_script_assigns_into_data() -> None:
    data = {"amount": 200, "items": [3, 1, 2], "applicant": {"income": 50, "debt": 10}}
    run_script(
        """
total = amount * 2 + 1
doubled = [i * 2 for i in items if i > 1]
lowest = min(items)
highest = max(items)
ratio = applicant.get('debt') / applicant['income']
keys = sorted(k for k, v in applicant.items())
scored = score(amount)
count = 0
for i in items:
    count += 1
def helper(v):
    return v + 1
bumped = helper(1)
applicant['checked'] = True
first, second = items[0], items[1]
due = date(2024, 1, 31) + timedelta(days=1)
money = Decimal('1.10') + Decimal('2.20')
root = sqrt(16) + floor(1.5) + ceil(1.5)
print('ignored')
""",
        data,
        functions={"score": lambda v: v / 100},
    )
    assert data["total"] == 401
    assert data["doubled"] == [6, 4]
    assert (data["lowest"], data["highest"]) == (1, 3)
    assert data["ratio"] == 0.2
    assert data["keys"] == ["debt", "income"]
    assert data["scored"] == 2.0
    assert data["count"] == 3
    assert data["bumped"] == 2
    assert data["applicant"]["checked"] is True
    assert (data["first"], data["second"]) == (3, 1)
    assert data["due"] == dt.date(2024, 2, 1)
    assert data["money"] == Decimal("3.30")
    assert data["root"] == 7.0


def test_helper_names_do_not_stay_in_data() -> None:
    data: dict = {"a": 1}
    run_script(
        "b = a + 1\nprint(b)\ndef f():\n    return 1\nalias = min\n", data, functions={"score": lambda v: v}
    )
    assert data == {"a": 1, "b": 2}


def test_deleted_names_leave_data() -> None:
    data = {"a": 1, "b": 2}
    run_script("del b", data)
    assert data == {"a": 1}


def test_runtime_error_is_script_error_with_line_and_no_bindings() -> None:
    data = {"a": 1}
    with pytest.raises(ScriptError) as error:
        run_script("b = 2\nc = a / 0\n", data)
    assert error.value.line == 2
    assert error.value.message == "ZeroDivisionError: division by zero"
    assert isinstance(error.value.__cause__, ZeroDivisionError)
    assert data == {"a": 1}


def test_evaluate_expressions() -> None:
    data = {"amount": 150, "rate": 0.1, "items": [{"v": 1}, {"v": 2}]}
    assert evaluate("amount * rate", data) == 15.0
    assert evaluate("amount > 100 and rate < 1", data) is True
    assert evaluate("[i['v'] * rate for i in items]", data) == [0.1, 0.2]
    assert evaluate("sum(i.get('v') for i in items)", data) == 3
    assert evaluate("  '\"P30D\"'  ", {}) == '"P30D"'
    assert evaluate("double(amount)", data, {"double": lambda x: 2 * x}) == 300
    assert "__builtins__" not in data


def test_missing_name_is_script_error() -> None:
    with pytest.raises(ScriptError) as error:
        evaluate("unknown + 1", {})
    assert "NameError" in error.value.message
    assert error.value.__cause__.name == "unknown"  # type: ignore[union-attr]


def test_runtime_guards_still_hold() -> None:
    # A missing attribute is an error (never a silent None); str.format is refused by name.
    with pytest.raises(ScriptError, match="AttributeError"):
        evaluate("x.nothing", {"x": 1})
    with pytest.raises(SandboxViolation):
        evaluate("x.format_map({})", {"x": "{a}"})


def test_a_while_loop_is_refused_with_its_line() -> None:
    [violation] = check_script("done = False\nwhile not done:\n    pass")
    assert (violation.line, violation.reason) == (
        2,
        "while loops are not allowed (a loop must end: use for over a list or a range)",
    )


def test_a_loop_over_a_list_it_keeps_growing_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_iteration, "MAX_ITERATIONS", 1_000)
    for source in (
        "items = [1]\nfor i in items:\n    items.append(i)",
        "items = [1]\nfound = [items.append(i) for i in items]",
    ):
        with pytest.raises(ScriptError) as error:
            run_script(source, {})
        assert (error.value.line, error.value.message) == (
            2,
            "RuntimeError: a loop ran more than 1,000 times",
        )
    data: dict = {"items": list(range(1_000))}
    run_script(
        "total = 0\nfor i, j in zip(items, items):\n    total += i\nsquares = [i * i for i in items]", data
    )
    assert data["total"] == sum(range(1_000)) and len(data["squares"]) == 1_000


@pytest.mark.parametrize("source", ["sum(range(10 ** 12))", "range(10 ** 30)", "list(range(0, 10 ** 7, 2))"])
def test_a_range_of_more_than_a_million_numbers_is_refused(source: str) -> None:
    with pytest.raises(
        ScriptError, match="ValueError: range\\(\\) of more than 1,000,000 numbers is not allowed"
    ):
        evaluate(source, {})
    assert evaluate("sum(range(1, 5))", {}) == 10 and evaluate("list(range(0, 10, 3))", {}) == [0, 3, 6, 9]


def test_functions_with_forbidden_names_are_refused() -> None:
    with pytest.raises(ValueError):
        evaluate("1", {}, {"_hidden": print})


def test_dates_work_in_scripts_though_imports_stay_refused() -> None:
    from datetime import date

    data: dict = {}
    run_script(
        "today = date.today()\nyear = today.strftime('%Y')\nfirst = today.replace(month=1, day=1)", data
    )
    assert data["today"] == local_today() and data["year"] == str(local_today().year)
    assert data["first"] == date(local_today().year, 1, 1)
    assert set(data) == {"today", "year", "first"}
    assert check_script("import time")
    assert check_script("__import__('time')")


def test_scripts_read_beijing_s_calendar_and_clock_and_keep_plain_dates() -> None:
    with time_machine.travel("2026-12-05 17:30:00+00:00", tick=False):  # 01:30 on the 6th in Beijing
        data: dict = {}
        run_script(
            "today = date.today()\nnow = datetime.now()\nalso_now = datetime.today()\n"
            "utc = datetime.utcnow()\nstamp = datetime.fromtimestamp(0)",
            data,
        )
        assert evaluate("date.today() == date(2026, 12, 6)", {})
    assert data["today"] == dt.date(2026, 12, 6)
    assert data["now"] == data["also_now"] == dt.datetime(2026, 12, 6, 1, 30)
    assert data["utc"] == dt.datetime(2026, 12, 5, 17, 30)  # asked for UTC by name
    assert data["stamp"] == dt.datetime(1970, 1, 1, 8, 0)
    assert (
        type(data["today"]) is dt.date and type(data["now"]) is dt.datetime
    )  # task data holds standard values
    assert type(evaluate("date.fromisoformat('2026-01-31') + timedelta(days=1)", {})) is dt.date
    assert evaluate(
        "isinstance(d, date) and isinstance(t, datetime) and isinstance(t, date) "
        "and not isinstance(d, datetime)",
        {"d": dt.date(2026, 1, 1), "t": dt.datetime(2026, 1, 1)},
    )
    assert check_expression("date._plain") and check_expression("date.today.__func__")
