"""Decision tables over whole frames give exactly the engine's per-row answers.

Frames are generated from each table's own cells: the literals its input entries test and the
values just beside them (exactly on a threshold, one ulp and one unit either side), None, NaN,
booleans, unknown strings and random numbers; in typed columns (float64 with NaN, int64, str,
bool, category) and in mixed object columns. The vectorized result must equal
:func:`evaluate_rows` (``Decision.evaluate`` row by row) cell for cell, Python types included,
or both must raise the same error. The tables are those of :mod:`tests.unit.engine.dmn_tables`.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.dmn import Decision, load_dmn
from app.engine.dmn.cells import FeelInputCell, PythonInputCell
from app.engine.dmn.vectorized import evaluate_rows
from app.engine.feel import Comparison, Disjunction, Equals, Not, Range
from app.engine.sandbox import SAFE_BUILTINS
from tests.unit.engine.dmn_tables import FILES, HAND_WRITTEN, ROOT, cells, compiled_hand, compiled_rules

NAMED = (
    "approval_authority",
    "approval_sla",
    "committee_rules",
    "credit_rating",
    "customer_segment",
    "large_exposure",
    "limit_proposal",
    "warning_rules",
)
RULE_FILES = tuple(sorted(p.stem for p in (ROOT / "rules").glob("*.dmn")))
PROPERTY = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)


# ---------------------------------------------------------------- generated frames


def literals(test: Any) -> list[Any]:
    if isinstance(test, (Equals, Comparison)):
        return [test.literal]
    if isinstance(test, Range):
        return [test.low, test.high]
    if isinstance(test, (Disjunction, Not)):
        return [v for t in test.tests for v in literals(t)]
    return []


def beside(value: Any) -> list[Any]:
    """A literal and the values just beside it."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return [value, value - dt.timedelta(days=1), value + dt.timedelta(days=1), value.isoformat()]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return [value]
    near = [
        value,
        value + 1,
        value - 1,
        float(value),
        math.nextafter(value, math.inf),
        math.nextafter(value, -math.inf),
    ]
    return near + ([int(value)] if isinstance(value, float) and value.is_integer() else [])


def variables(decision: Decision) -> dict[str, tuple[str, list[Any]]]:
    """Every name a decision (and those it requires) reads: its kind and the literals near it."""
    kinds: dict[str, str] = {}
    near: dict[str, list[Any]] = {}
    constants: list[Any] = []
    pending = [decision]
    while pending:
        d = pending.pop()
        pending.extend(d.required)
        sources = [c.python for c in d.inputs]
        for k, column in enumerate(d.inputs):
            name = column.python.strip()
            if name.isidentifier():
                kinds.setdefault(name, (column.type_ref or "number").lower())
                near.setdefault(name, []).extend(
                    v
                    for rule in d.rules
                    if isinstance(rule.input_entries[k], FeelInputCell)
                    for lit in literals(rule.input_entries[k].tests.test)
                    for v in beside(lit)
                )
        for rule in d.rules:
            sources += [c.python for c in rule.input_entries if isinstance(c, PythonInputCell)]
            sources += [e.python for e in rule.output_entries]
        for source in sources:
            for node in ast.walk(ast.parse(source.strip(), mode="eval")):
                if isinstance(node, ast.Name) and node.id not in SAFE_BUILTINS:
                    kinds.setdefault(node.id, "number")
                elif isinstance(node, ast.Constant) and node.value is not None:
                    constants.extend(beside(node.value))
    return {name: (kind, near.get(name, []) + constants) for name, kind in sorted(kinds.items())}


MAX_ROWS = 12
NAN = float("nan")
ODD = st.sampled_from(
    [
        None,
        NAN,
        True,
        False,
        "",
        "unknown",
        "AAA",
        0,
        -0.0,
        math.inf,
        1.0,
        95,
        Decimal("0.70"),
        Decimal("95"),
        Decimal("NaN"),
        dt.datetime(2024, 1, 1, 12),
    ]
)
CLEAN = {
    "number": st.one_of(st.floats(-2000, 2000), st.integers(-200, 2_000_000)),
    "string": st.text(alphabet="abAB_m", max_size=3),
    "boolean": st.booleans(),
    "date": st.dates(dt.date(2019, 6, 1), dt.date(2025, 6, 1)),
}


def fits(kind: str, value: Any) -> bool:
    return {
        "number": isinstance(value, (int, float)) and not isinstance(value, bool),
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "date": isinstance(value, dt.date),
    }.get(kind, True)


@st.composite
def frames(draw: Any, decision: Decision) -> pd.DataFrame:
    n = draw(st.integers(0, MAX_ROWS))
    columns = {}
    for name, (kind, near) in variables(decision).items():
        typed = [v for v in near if fits(kind, v)]
        own = (
            st.one_of(st.sampled_from(typed), CLEAN.get(kind, CLEAN["number"]))
            if typed
            else CLEAN.get(kind, CLEAN["number"])
        )
        if draw(st.booleans()):  # a typed column (float64, int64, str, bool...), some missing
            values = draw(st.lists(st.one_of(own, st.none()), min_size=n, max_size=n))
            if kind == "number" and any(v is None for v in values):
                series = pd.Series(values, dtype=float)  # None is NaN
            else:
                series = pd.Series(values, dtype=None if values else object)
            if kind == "string" and draw(st.booleans()):
                series = series.astype("category")
            elif kind == "date" and draw(st.booleans()):
                series = pd.to_datetime(series)  # Timestamps, NaT
        else:  # anything at all in an object column
            pool = st.one_of(own, ODD, st.sampled_from(near) if near else ODD)
            series = pd.Series(draw(st.lists(pool, min_size=n, max_size=n)), dtype=object)
        columns[name] = series
    frame = pd.DataFrame(columns, index=pd.RangeIndex(n))
    index = draw(st.sampled_from(["range", "labels", "shuffled"]))
    if index == "labels":
        frame.index = pd.Index([f"c{i}" for i in range(n)], dtype=object)
    elif index == "shuffled":
        frame.index = pd.Index(draw(st.permutations(list(range(100, 100 + n)))), dtype="int64")
    return frame


def outcome(fn: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn(*args))
    except Exception as error:  # noqa: BLE001 - both sides must fail alike
        return ("error", type(error).__name__, str(error))


def assert_same(compiled: Any, frame: pd.DataFrame) -> None:
    got, want = outcome(compiled.evaluate, frame), outcome(evaluate_rows, compiled.decision, frame)
    if "error" in (got[0], want[0]):
        assert got == want
    else:
        assert cells(got[1]) == cells(want[1])


# ---------------------------------------------------------------- properties


def test_the_rules_files_are_all_here() -> None:
    assert set(NAMED) <= set(RULE_FILES)


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_rules_table_compiles_vectorized(name: str) -> None:
    path = ROOT / "rules" / f"{name}.dmn"
    for decision_id in load_dmn(path.read_bytes(), path.name).decisions:
        assert compiled_rules(name, decision_id).per_row is None


RULE_DECISIONS = [
    (name, d)
    for name in RULE_FILES
    for d in load_dmn((ROOT / "rules" / f"{name}.dmn").read_bytes()).decisions
]


@pytest.mark.parametrize(("name", "decision_id"), RULE_DECISIONS)
@PROPERTY
@given(data=st.data())
def test_rules_tables_match_the_engine(name: str, decision_id: str, data: Any) -> None:
    compiled = compiled_rules(name, decision_id)
    assert_same(compiled, data.draw(frames(compiled.decision)))


@pytest.mark.parametrize("key", [*HAND_WRITTEN, *FILES])
@PROPERTY
@given(data=st.data())
def test_hand_written_tables_match_the_engine(key: str, data: Any) -> None:
    compiled = compiled_hand(key)
    assert_same(compiled, data.draw(frames(compiled.decision)))
