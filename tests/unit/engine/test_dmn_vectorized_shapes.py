"""Decision tables over whole frames: the shape of the result (columns, index, the rows of a multiple hit), the warning
rules' thresholds and missing figures, the errors (naming the frame's row), what runs per row and says so."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from app.engine.dmn import Decision, load_dmn
from app.engine.dmn.vectorized import DmnRowError, compile_decision, evaluate_rows
from tests.unit.engine.dmn_tables import DATA, cells, compiled_hand, compiled_rules, model, table


def warning_frame(**changes: Any) -> pd.DataFrame:
    row = {
        "industry": "construction",
        "debt_to_asset": 0.80,
        "current_ratio": 1.0,
        "quick_ratio_change": -0.3333,
        "utilization_pct": 95,
        "days_past_due": 0,
        "overdue_interest": 0.0,
        "new_enforcement_records": 0,
        "tax_arrears": 0.0,
        "utility_arrears": 0.0,
        "negative_news": False,
        "collateral_coverage": 1.0,
        "external_rating_drop": 1,
        "inspection_finding": "low",
        "in_guarantee_circle": False,
        "long_guarantee_chain": False,
        "dishonest_debtor": False,
    }
    return pd.DataFrame([{**row, **changes}], index=["cust-1"])


def test_thresholds_and_missing_figures_in_the_warning_rules() -> None:
    compiled = compiled_rules("warning_rules", "warning_rules")
    assert compiled.evaluate(warning_frame())["warning_code"].tolist() == ["quick_ratio_fall"]
    frame = pd.concat(
        [
            warning_frame(current_ratio=np.nan, quick_ratio_change=None),
            warning_frame(current_ratio=0.999, days_past_due=30).set_axis(["cust-2"]),
            warning_frame(days_past_due=31.0, negative_news=True).set_axis(["cust-3"]),
            warning_frame(
                inspection_finding="high",
                in_guarantee_circle=True,
                long_guarantee_chain=True,
                dishonest_debtor=True,
            ).set_axis(["cust-4"]),
        ]
    )
    result = compiled.evaluate(frame)
    assert list(result.columns) == ["row", "rule_id", "warning_code", "severity", "warning_name"]
    assert list(zip(result["row"], result["warning_code"], strict=True)) == [
        ("cust-2", "current_ratio_below_one"),
        ("cust-2", "quick_ratio_fall"),
        ("cust-2", "past_due"),
        ("cust-3", "quick_ratio_fall"),
        ("cust-3", "past_due_30"),
        ("cust-3", "negative_news"),
        ("cust-4", "quick_ratio_fall"),
        ("cust-4", "inspection_finding_serious"),
        ("cust-4", "guarantee_circle"),
        ("cust-4", "guarantee_chain"),
        ("cust-4", "dishonest_debtor"),
    ]
    assert cells(result) == cells(evaluate_rows(compiled.decision, frame))


def test_single_hit_and_aggregated_shapes() -> None:
    rating = compiled_rules("credit_rating", "credit_rating")
    frame = pd.DataFrame({"pd": [0.0004, 0.2, None], "z_zone": ["safe", None, "grey"]}, index=[7, 8, 9])
    result = rating.evaluate(frame)
    assert list(result.columns) == ["rule_id", "grade"] and list(result.index) == [7, 8, 9]
    assert result["grade"].tolist() == ["AAA", "C", None]
    assert result["rule_id"].tolist() == ["Rule_credit_rating_02", "Rule_credit_rating_09", None]
    points = compiled_hand("points COLLECT+SUM").evaluate(
        pd.DataFrame({"amount": [5000, 50, None], "segment": ["A", None, "B"]})
    )
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
    text = (
        table(
            "many",
            "COLLECT",
            [("amount", "number")],
            [("n", "number", None)],
            [(["-"], ["1"]), (["> 1"], ["2"])],
        )
        + "\n"
        + table(
            "uses_many",
            "FIRST",
            [("amount", "number")],
            [("m", None, None)],
            [(["-"], ["many"])],
            requires=("many",),
        )
    )
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
