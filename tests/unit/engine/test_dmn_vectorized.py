"""Decision tables over whole frames give exactly the engine's per-row answers.

Frames are generated from each table's own cells: the literals its input entries test and the
values just beside them (exactly on a threshold, one ulp and one unit either side), None, NaN,
booleans, unknown strings and random numbers; in typed columns (float64 with NaN, int64, str,
bool, category) and in mixed object columns. The vectorized result must equal
:func:`evaluate_rows` (``Decision.evaluate`` row by row) cell for cell, Python types included,
or both must raise the same error.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.engine.dmn import Decision, DecisionModel, load_dmn
from app.engine.dmn.cells import FeelInputCell, PythonInputCell
from app.engine.dmn.vectorized import DmnRowError, compile_decision, evaluate_rows
from app.engine.feel import Comparison, Disjunction, Equals, Not, Range
from app.engine.sandbox import SAFE_BUILTINS

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "data" / "dmn"
NAMED = ("approval_authority", "approval_sla", "committee_rules", "credit_rating",
         "customer_segment", "large_exposure", "limit_proposal", "warning_rules")
RULE_FILES = tuple(sorted(p.stem for p in (ROOT / "rules").glob("*.dmn")))
PROPERTY = settings(max_examples=50, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<definitions xmlns="https://www.omg.org/spec/'
        'DMN/20191111/MODEL/" id="defs" name="t" namespace="http://example.com/dmn">\n')


def table(decision_id: str, policy: str, inputs: list[tuple[str, str]],
          outputs: list[tuple[str, str | None, str | None]], rules: list[tuple[list[str], list[str]]],
          requires: tuple[str, ...] = ()) -> str:
    """A decision in DMN XML: inputs (expression, typeRef), outputs (name, typeRef, values)."""
    def text(value: str) -> str:
        return f"<text>{value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</text>"
    hit = policy.split("+")
    attrs = f'hitPolicy="{hit[0]}"' + (f' aggregation="{hit[1]}"' if len(hit) > 1 else "")
    parts = [f'<decision id="{decision_id}" name="{decision_id}">']
    parts += [f'<informationRequirement><requiredDecision href="#{r}"/></informationRequirement>'
              for r in requires]
    parts.append(f'<decisionTable id="{decision_id}_t" {attrs}>')
    parts += [f'<input id="{decision_id}_i{k}"><inputExpression typeRef="{type_ref}">{text(e)}'
              "</inputExpression></input>" for k, (e, type_ref) in enumerate(inputs)]
    for name, type_ref, values in outputs:
        typed = f' typeRef="{type_ref}"' if type_ref else ""
        allowed = f"<outputValues>{text(values)}</outputValues>" if values else ""
        parts.append(f'<output id="{decision_id}_{name}" name="{name}"{typed}>{allowed}</output>')
    for r, (cells, entries) in enumerate(rules, start=1):
        parts.append(f'<rule id="{decision_id}_r{r}">'
                     + "".join(f"<inputEntry>{text(c)}</inputEntry>" for c in cells)
                     + "".join(f"<outputEntry>{text(e)}</outputEntry>" for e in entries) + "</rule>")
    return "\n".join([*parts, "</decisionTable></decision>"])


CODES = '"r9","r8","r7","r6","r5","r4","r3","r2","r1","r11"'  # not r10: PRIORITY refuses it
FORM_RULES = [
    (["[1..30]", "-", "-", "-"], ['"r1"', "1"]),
    (["]0..1[", '"A","B"', "-", "-"], ['"r2"', "2.5"]),
    (["(0..1]", 'not("A","B")', "-", "-"], ['"r3"', "-1"]),
    (["!= 5", "null", "-", "-"], ['"r4"', "null"]),
    (["= 95", "-", "false", "-"], ['"r5"', "amount * 2"]),
    (["-", '> "m"', "-", "-"], ['"r6"', "0"]),
    ([">= 9007199254740993", "-", "-", "-"], ['"r7"', "7"]),
    (["-", "-", "-", '>= date("2024-01-01")'], ['"r8"', "8"]),
    (["not(null)", "-", "true,false", "-"], ['"r9"', "9"]),
    (["< -1000", '"A"', "-", "-"], ['"r10"', "10"]),
    (["-", "-", "null", '[date("2020-01-01")..date("2020-12-31")]'], ['"r11"', "-3"]),
]
FORM_INPUTS = [("amount", "number"), ("segment", "string"), ("flag", "boolean"), ("opened", "date")]
POINT_RULES = [(["-", "-"], ["1"]), (["> 1000", "-"], ["10"]), (["> 100", "-"], ["amount / 100"]),
               (["-", '"A","B"'], ["2.5"]), (["< 0", 'not("A")'], ["-4"])]
WIDE_RULES = [([f"> {i * 30}", '"A"' if i % 7 == 0 else "-"], [str(i)]) for i in range(70)]
CHAIN = "\n".join([
    table("tier", "COLLECT+COUNT", [("amount", "number"), ("segment", "string")], [("hits", "number", None)],
          [(["> 100", "-"], ["1"]), (["-", '"A"'], ["1"]), (["< 0", "-"], ["1"])]),
    table("grade_of", "FIRST", [("score", "number")], [("grade", "string", None)],
          [([">= 0.5"], ['"G1"']), (["< 0.5"], ['"G2"'])]),
    table("alert", "FIRST", [("hits", "number"), ("grade", "string"), ("amount", "number")],
          [("level", "string", None), ("seen", None, None)],
          [([">= 2", "-", "-"], ['"high"', "tier.hits"]), (["-", '"G2"', "> 10"], ['"medium"', "2"]),
           (["-", "null", "-"], ['"no grade"', "3"]), (["-", "-", "-"], ['"low"', "amount"])],
          requires=("tier", "grade_of"))])
FRAGILE = table("fragile", "FIRST", [("amount * 1", "number"), ("segment", "string")],
                [("code", "string", None), ("n", "number", None)],
                [(["amount > 10", "-"], ['"big"', "1"]), (["-", '"A"'], ['"a"', '"x"']),
                 (["< 0", "-"], ['"neg"', "3"]), (["-", "-"], ['"other"', "len(segment or '')"])])


def model(text: str) -> DecisionModel:
    return load_dmn(HEAD + text + "\n</definitions>")


HAND_WRITTEN: dict[str, tuple[str, str]] = {
    **{f"forms {p}": (table("forms", p, FORM_INPUTS, [("code", "string", CODES), ("score", "number", None)],
                            FORM_RULES), "forms")
       for p in ("UNIQUE", "FIRST", "ANY", "PRIORITY", "OUTPUT ORDER", "RULE ORDER", "COLLECT")},
    **{f"points {p}": (table("points", p, FORM_INPUTS[:2], [("points", "number", None)], POINT_RULES),
                       "points")
       for p in ("COLLECT+SUM", "COLLECT+MIN", "COLLECT+MAX", "COLLECT+COUNT", "COLLECT", "ANY")},
    **{f"wide {p}": (table("wide", p, FORM_INPUTS[:2], [("n", "number", None)], WIDE_RULES), "wide")
       for p in ("COLLECT", "FIRST")},  # more than 64 rules: patterns no longer fit one word
    "chain": (CHAIN, "alert"),
    "fragile": (FRAGILE, "fragile"),
}
FILES = {f"{name} {d}": (name, d) for name, ds in {
    "hit_policies.dmn": ("first", "priority", "output_order", "rule_order", "collect", "any_agree", "unique"),
    "credit_grade.dmn": ("risk_grade",), "limit_chain.dmn": ("leverage_band", "credit_limit")}.items()
    for d in ds}


@functools.cache
def compiled_rules(name: str, decision_id: str):
    path = ROOT / "rules" / f"{name}.dmn"
    return compile_decision(load_dmn(path.read_bytes(), path.name), decision_id)


@functools.cache
def compiled_hand(key: str):
    if key in HAND_WRITTEN:
        text, decision_id = HAND_WRITTEN[key]
        return compile_decision(model(text), decision_id)
    name, decision_id = FILES[key]
    return compile_decision(load_dmn((DATA / name).read_text(), name), decision_id)


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
    near = [value, value + 1, value - 1, float(value), math.nextafter(value, math.inf),
            math.nextafter(value, -math.inf)]
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
                    v for rule in d.rules if isinstance(rule.input_entries[k], FeelInputCell)
                    for lit in literals(rule.input_entries[k].tests.test) for v in beside(lit))
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
ODD = st.sampled_from([None, NAN, True, False, "", "unknown", "AAA", 0, -0.0, math.inf, 1.0, 95,
                       Decimal("0.70"), Decimal("95"), Decimal("NaN"), dt.datetime(2024, 1, 1, 12)])
CLEAN = {"number": st.one_of(st.floats(-2000, 2000), st.integers(-200, 2_000_000)),
         "string": st.text(alphabet="abAB_m", max_size=3),
         "boolean": st.booleans(),
         "date": st.dates(dt.date(2019, 6, 1), dt.date(2025, 6, 1))}


def fits(kind: str, value: Any) -> bool:
    return {"number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "string": isinstance(value, str), "boolean": isinstance(value, bool),
            "date": isinstance(value, dt.date)}.get(kind, True)


@st.composite
def frames(draw: Any, decision: Decision) -> pd.DataFrame:
    n = draw(st.integers(0, MAX_ROWS))
    columns = {}
    for name, (kind, near) in variables(decision).items():
        typed = [v for v in near if fits(kind, v)]
        own = st.one_of(st.sampled_from(typed), CLEAN.get(kind, CLEAN["number"])) if typed else \
            CLEAN.get(kind, CLEAN["number"])
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


def cells(frame: pd.DataFrame) -> list[Any]:
    """Every value with its exact type (repr tells -0.0, NaN, 1 and 1.0 apart)."""
    return [list(frame.columns), [(type(v), repr(v)) for v in frame.index],
            *([(type(v), repr(v)) for v in frame[c].tolist()] for c in frame.columns)]


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


RULE_DECISIONS = [(name, d) for name in RULE_FILES
                  for d in load_dmn((ROOT / "rules" / f"{name}.dmn").read_bytes()).decisions]


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


# ---------------------------------------------------------------- shapes and edges

def warning_frame(**changes: Any) -> pd.DataFrame:
    row = {"industry": "construction", "debt_to_asset": 0.80, "current_ratio": 1.0,
           "quick_ratio_change": -0.3333, "utilization_pct": 95, "days_past_due": 0,
           "overdue_interest": 0.0, "new_enforcement_records": 0, "tax_arrears": 0.0,
           "utility_arrears": 0.0, "negative_news": False, "collateral_coverage": 1.0,
           "external_rating_drop": 1}
    return pd.DataFrame([{**row, **changes}], index=["cust-1"])


def test_thresholds_and_missing_figures_in_the_warning_rules() -> None:
    compiled = compiled_rules("warning_rules", "warning_rules")
    assert compiled.evaluate(warning_frame())["warning_code"].tolist() == ["quick_ratio_fall"]
    frame = pd.concat([warning_frame(current_ratio=np.nan, quick_ratio_change=None),
                       warning_frame(current_ratio=0.999, days_past_due=30).set_axis(["cust-2"]),
                       warning_frame(days_past_due=31.0, negative_news=True).set_axis(["cust-3"])])
    result = compiled.evaluate(frame)
    assert list(result.columns) == ["row", "rule_id", "warning_code", "severity", "warning_name"]
    assert list(zip(result["row"], result["warning_code"], strict=True)) == [
        ("cust-2", "current_ratio_below_one"), ("cust-2", "quick_ratio_fall"), ("cust-2", "past_due"),
        ("cust-3", "quick_ratio_fall"), ("cust-3", "past_due_30"), ("cust-3", "negative_news")]
    assert cells(result) == cells(evaluate_rows(compiled.decision, frame))


def test_single_hit_and_aggregated_shapes() -> None:
    rating = compiled_rules("credit_rating", "credit_rating")
    frame = pd.DataFrame({"pd": [0.0004, 0.2, None], "z_zone": ["safe", None, "grey"]}, index=[7, 8, 9])
    result = rating.evaluate(frame)
    assert list(result.columns) == ["rule_id", "grade"] and list(result.index) == [7, 8, 9]
    assert result["grade"].tolist() == ["AAA", "C", None]
    assert result["rule_id"].tolist() == ["Rule_credit_rating_02", "Rule_credit_rating_09", None]
    points = compiled_hand("points COLLECT+SUM").evaluate(
        pd.DataFrame({"amount": [5000, 50, None], "segment": ["A", None, "B"]}))
    assert list(points.columns) == ["points"]
    assert points["points"].tolist() == [63.5, 1, 3.5]


def test_unique_conflict_names_the_frame_row() -> None:
    compiled = compiled_hand("hit_policies.dmn unique")
    frame = pd.DataFrame({"amount": [5, 2000, 100]}, index=["a", "b", "c"])
    with pytest.raises(DmnRowError) as error:
        compiled.evaluate(frame)
    assert error.value.label == "c" and error.value.position == 2
    assert error.value.rule_id == "u_r2" and "frame row 'c'" in str(error.value)
    assert "UNIQUE" in str(error.value)
    with pytest.raises(DmnRowError) as reference:
        evaluate_rows(compiled.decision, frame)
    assert str(reference.value) == str(error.value)


def test_clean_data_never_calls_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = compiled_rules("warning_rules", "warning_rules")
    frame = pd.concat([warning_frame(), warning_frame(industry=None, current_ratio=0.5)])
    expected = evaluate_rows(compiled.decision, frame)

    def refuse(*_args: Any) -> None:
        raise AssertionError("the per-row engine ran")
    monkeypatch.setattr(Decision, "evaluate", refuse)
    assert cells(compiled.evaluate(frame)) == cells(expected)


def test_what_cannot_be_vectorized_runs_per_row_and_says_so() -> None:
    text = table("many", "COLLECT", [("amount", "number")], [("n", "number", None)],
                 [(["-"], ["1"]), (["> 1"], ["2"])]) + "\n" + table(
        "uses_many", "FIRST", [("amount", "number")], [("m", None, None)], [(["-"], ["many"])],
        requires=("many",))
    compiled = compile_decision(model(text), "uses_many")
    assert compiled.per_row and "multiple-hit decision 'many'" in compiled.per_row
    frame = pd.DataFrame({"amount": [0, 5, None]})
    assert compiled.evaluate(frame)["m"].tolist() == [[{"n": 1}], [{"n": 1}, {"n": 2}], [{"n": 1}]]
    assert compiled_hand("chain").per_row is None


def test_missing_column_is_the_engines_error() -> None:
    compiled = compiled_rules("approval_sla", "approval_sla")
    frame = pd.DataFrame({"proposed_limit": [1.0]}, index=["x"])
    with pytest.raises(DmnRowError, match=r"frame row 'x'.*'grade'.*not in the context"):
        compiled.evaluate(frame)


def test_compile_finds_the_decision() -> None:
    loaded = load_dmn((DATA / "hit_policies.dmn").read_text())
    assert compile_decision(loaded, "first").decision.id == "first"
    assert compile_decision(loaded.decisions["first"]).decision.id == "first"
    with pytest.raises(KeyError, match="no decision 'nope'"):
        compile_decision(loaded, "nope")
