"""Decision tables evaluated under every hit policy, with FEEL and Python cells."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from app.engine.dmn import DecisionModel, DmnEvaluationError, load_dmn
from app.engine.dmn.hitpolicy import Hit, TableShape, apply_hit_policy

DATA = Path(__file__).resolve().parents[2] / "data" / "dmn"


def load(name: str, replace: tuple[str, str] | None = None) -> DecisionModel:
    text = (DATA / name).read_text()
    if replace:
        text = text.replace(*replace)
    return load_dmn(text, name)


@pytest.fixture(scope="module")
def policies() -> DecisionModel:
    return load("hit_policies.dmn")


def test_feel_table_unique() -> None:
    decision = load("credit_grade.dmn").decisions["risk_grade"]
    assert decision.hit_policy == "UNIQUE"
    assert [i.key for i in decision.inputs] == ["score", "segment"]
    result = decision.evaluate({"score": 0.6, "segment": "SME"})
    assert result.output == {"grade": "B", "pd": 0.05}
    assert result.matched_rule_ids == ["r_b"] and result.matched_rows == [2]
    assert result.inputs == {"score": 0.6, "segment": "SME"}
    assert not result.is_multi
    assert decision.evaluate({"score": 0.1, "segment": None}).output["grade"] == "C"


def test_no_match_gives_none() -> None:
    result = load("credit_grade.dmn").decisions["risk_grade"].evaluate({"score": 0.6, "segment": "RETAIL"})
    assert result.output is None and result.matched_rule_ids == []


def test_unique_double_match_names_both_rules(policies: DecisionModel) -> None:
    with pytest.raises(DmnEvaluationError) as error:
        policies.evaluate("unique", {"amount": 100})
    message = str(error.value)
    assert "'unique'" in message and "UNIQUE" in message
    assert "'u_r1' (row 1)" in message and "'u_r2' (row 2)" in message
    assert error.value.decision_id == "unique" and error.value.rule_id == "u_r2"


@pytest.mark.parametrize(
    ("amount", "rule", "level"),
    [(50, "first_r3", "LOW"), (500, "first_r2", "MEDIUM"), (5000, "first_r1", "HIGH")],
)
def test_first(policies: DecisionModel, amount: int, rule: str, level: str) -> None:
    result = policies.evaluate("first", {"amount": amount})
    assert result.matched_rule_ids == [rule] and result.output == {"level": level}


@pytest.mark.parametrize(
    ("amount", "rule", "level"),
    [(50, "priority_r1", "LOW"), (500, "priority_r2", "MEDIUM"), (5000, "priority_r3", "HIGH")],
)
def test_priority_follows_output_values(policies: DecisionModel, amount: int, rule: str, level: str) -> None:
    result = policies.evaluate("priority", {"amount": amount})
    assert result.matched_rule_ids == [rule] and result.output == {"level": level}


def test_priority_value_outside_output_values() -> None:
    model = load(
        "hit_policies.dmn",
        (
            '<text>"MEDIUM"</text></outputEntry></rule>\n      <rule id="priority_r3"',
            '<text>"HUGE"</text></outputEntry></rule>\n      <rule id="priority_r3"',
        ),
    )
    with pytest.raises(DmnEvaluationError, match="not one of the column's output values"):
        model.evaluate("priority", {"amount": 500})


def test_output_order_sorts_by_priority(policies: DecisionModel) -> None:
    result = policies.evaluate("output_order", {"amount": 5000})
    assert result.is_multi
    assert result.matched_rule_ids == ["oo_r2", "oo_r3", "oo_r1"]
    assert result.output == [{"level": "HIGH"}, {"level": "MEDIUM"}, {"level": "LOW"}]


def test_rule_order_keeps_rule_order(policies: DecisionModel) -> None:
    result = policies.evaluate("rule_order", {"amount": 5000})
    assert result.matched_rows == [1, 2, 3]
    assert result.output == [{"level": "LOW"}, {"level": "HIGH"}, {"level": "MEDIUM"}]
    assert policies.evaluate("rule_order", {"amount": 500}).matched_rule_ids == ["ro_r1", "ro_r3"]


def test_collect_without_aggregation(policies: DecisionModel) -> None:
    result = policies.evaluate("collect", {"amount": 500})
    assert result.is_multi and result.aggregation is None
    assert result.output == [{"points": 1}, {"points": 5.0}]


@pytest.mark.parametrize(
    ("aggregation", "amount", "expected"),
    [
        ("SUM", 5000, 61.0),
        ("SUM", 50, 1),
        ("MIN", 5000, 1),
        ("MAX", 5000, 50.0),
        ("COUNT", 5000, 3),
        ("COUNT", 500, 2),
    ],
)
def test_collect_aggregations(aggregation: str, amount: int, expected: float) -> None:
    model = load(
        "hit_policies.dmn", ('hitPolicy="COLLECT"', f'hitPolicy="COLLECT" aggregation="{aggregation}"')
    )
    result = model.evaluate("collect", {"amount": amount})
    assert not result.is_multi and result.aggregation == aggregation
    assert result.output == {"points": expected}
    assert result.as_dict()["output"] == {"points": expected}


@pytest.mark.parametrize(
    ("aggregation", "expected"), [("SUM", 0), ("COUNT", 0), ("MIN", None), ("MAX", None)]
)
def test_collect_aggregations_of_nothing(aggregation: str, expected: object) -> None:
    no_rule_matches = load_dmn(
        (DATA / "hit_policies.dmn")
        .read_text()
        .replace('hitPolicy="COLLECT"', f'hitPolicy="COLLECT" aggregation="{aggregation}"')
        .replace('<inputEntry id="c_r1_i"><text>-</text>', '<inputEntry id="c_r1_i"><text>&lt; 0</text>')
    )
    result = no_rule_matches.evaluate("collect", {"amount": 50})
    assert result.matched_rule_ids == []
    assert result.output == {"points": expected}


def test_any_agreeing_and_conflicting(policies: DecisionModel) -> None:
    result = policies.evaluate("any_agree", {"amount": 5000})
    assert result.output == {"flag": True}
    assert result.matched_rule_ids == ["any_r1", "any_r2"]
    with pytest.raises(DmnEvaluationError) as error:
        policies.evaluate("any_agree", {"amount": 10000})
    assert "ANY" in str(error.value)
    assert "'any_r1'" in str(error.value) and "'any_r3' (row 3)" in str(error.value)


def test_required_decision_chain_with_python_cells() -> None:
    model = load("limit_chain.dmn")
    assert model.decisions["credit_limit"].required_ids == ("leverage_band",)
    cases = [
        ({"debt": 10, "income": 100}, "LOW", {"limit": 1000, "approved": True}),
        ({"debt": 150, "income": 100}, "MID", {"limit": 800.0, "approved": True}),
        ({"debt": 500, "income": 100}, "HIGH", {"limit": 0, "approved": False}),
    ]
    for context, band, output in cases:
        result = model.evaluate("credit_limit", {**context, "requested_amount": 1000})
        assert result.output == output
        assert result.inputs["band"] == band
        assert result.required[0].decision_id == "leverage_band"
        assert result.required[0].output == {"band": band}
        json.dumps(result.as_dict())


def test_missing_input_name_is_named() -> None:
    model = load("limit_chain.dmn")
    with pytest.raises(DmnEvaluationError) as error:
        model.evaluate("credit_limit", {"debt": 1, "income": 2})
    message = str(error.value)
    assert "'credit_limit'" in message and "column 'requested_amount'" in message
    assert "'requested_amount'" in message and "not in the context" in message
    assert error.value.column == "requested_amount"


def test_runtime_failure_in_a_required_decision_names_it() -> None:
    with pytest.raises(DmnEvaluationError, match="'leverage_band'.*ZeroDivisionError"):
        load("limit_chain.dmn").evaluate("credit_limit", {"debt": 1, "income": 0, "requested_amount": 1})


def test_typed_output_coercion_error_names_rule_and_column() -> None:
    model = load("credit_grade.dmn", ("<text>0.05</text>", '<text>"five"</text>'))
    with pytest.raises(DmnEvaluationError) as error:
        model.evaluate("risk_grade", {"score": 0.6, "segment": "SME"})
    assert error.value.rule_id == "r_b" and error.value.column == "pd"
    assert "row 2" in str(error.value) and "not a number" in str(error.value)


def test_as_dict_is_json_ready() -> None:
    result = load("credit_grade.dmn").evaluate("risk_grade", {"score": 0.9, "segment": "X"})
    record = json.loads(json.dumps(result.as_dict()))
    assert record["matched_rule_ids"] == ["r_a"]
    assert record["inputs"] == {"score": 0.9, "segment": "X"}
    assert record["output"] == {"grade": "A", "pd": 0.01}
    assert record["hit_policy"] == "UNIQUE" and record["required"] == []


def test_date_inputs_and_outputs_are_logged_as_iso_strings() -> None:
    source = (
        (DATA / "credit_grade.dmn")
        .read_text()
        .replace("<text>[0.8..1]</text>", '<text>&gt;= date("2024-01-01")</text>')
        .replace('<text>"A"</text>', '<text>date("2025-01-01")</text>')
        .replace('name="grade" label="Grade" typeRef="string"', 'name="grade" label="Grade" typeRef="date"')
    )
    result = load_dmn(source).evaluate("risk_grade", {"score": "2024-06-30", "segment": "X"})
    assert result.matched_rule_ids == ["r_a"]
    assert result.as_dict()["output"] == {"grade": "2025-01-01", "pd": 0.01}
    json.dumps(result.as_dict())


def test_a_sum_over_a_decimal_and_a_float_and_an_infinite_integer_are_refused_naming_the_decision():
    shape = TableShape("fees", "COLLECT", "SUM", ("fee",), {})
    with pytest.raises(DmnEvaluationError, match="SUM over mixed number types"):
        apply_hit_policy(shape, [Hit("r1", 1, {"fee": Decimal("1.5")}), Hit("r2", 2, {"fee": 0.5})])
