"""Loading and validating DMN files: refusals and designer-readable problems."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.dmn import DmnParseError, load_dmn, validate_dmn
from app.engine.dmn.cells import FeelInputCell, PythonInputCell
from app.engine.feel import Range

DATA = Path(__file__).resolve().parents[2] / "data" / "dmn"
GOOD = ["credit_grade.dmn", "hit_policies.dmn", "limit_chain.dmn"]

TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="t" namespace="x">
  <decision id="d" name="D">{requirement}
    <decisionTable id="t" hitPolicy="{policy}">
      <input id="i" label="Amount"><inputExpression id="ie"><text>{expression}</text></inputExpression></input>
      <output id="o" name="out" />
      <rule id="r1"><inputEntry id="r1i"><text>{cell}</text></inputEntry><outputEntry id="r1o"><text>{output}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>"""


def table(
    policy: str = "UNIQUE",
    expression: str = "amount",
    cell: str = "-",
    output: str = '"X"',
    requirement: str = "",
) -> str:
    return TABLE.format(
        policy=policy, expression=expression, cell=cell, output=output, requirement=requirement
    )


@pytest.mark.parametrize("name", GOOD)
def test_fixtures_are_valid(name: str) -> None:
    assert validate_dmn((DATA / name).read_bytes(), name) == []


def test_model_structure() -> None:
    model = load_dmn((DATA / "hit_policies.dmn").read_bytes(), "hit_policies.dmn")
    assert model.filename == "hit_policies.dmn"
    assert set(model.decisions) == {
        "first",
        "priority",
        "output_order",
        "rule_order",
        "collect",
        "any_agree",
        "unique",
    }
    priority = model.decisions["priority"]
    assert priority.outputs[0].output_values == ("HIGH", "MEDIUM", "LOW")
    assert [r.row for r in priority.rules] == [1, 2, 3]
    grade = load_dmn((DATA / "credit_grade.dmn").read_bytes()).decisions["risk_grade"]
    cell = grade.rules[1].input_entries[0]
    assert isinstance(cell, FeelInputCell) and cell.tests.test == Range(0.5, 0.8, True, False)
    assert grade.outputs[1].type_ref == "number" and grade.inputs[0].type_ref == "number"
    chain = load_dmn((DATA / "limit_chain.dmn").read_bytes()).decisions["leverage_band"]
    assert isinstance(chain.rules[0].input_entries[0], FeelInputCell)  # "< 0.5" is FEEL
    python_cell = chain.rules[1].input_entries[0]
    assert isinstance(python_cell, PythonInputCell)
    assert python_cell.python == "debt / income < 2 and income > 0"


def test_doctype_is_refused() -> None:
    evil = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n' + table().split("\n", 1)[
        1
    ].replace('"X"', "&lol;")
    with pytest.raises(DmnParseError, match="DOCTYPE") as error:
        load_dmn(evil, "evil.dmn")
    assert error.value.line == 2 and error.value.filename == "evil.dmn"
    assert "DOCTYPE" in validate_dmn(evil.encode(), "evil.dmn")[0].message


def test_external_entity_is_refused() -> None:
    evil = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + table().split("\n", 1)[1].replace(
        '"X"', "&x;"
    )
    with pytest.raises(DmnParseError, match="DOCTYPE"):
        load_dmn(evil.encode())


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<definitions", "not well-formed"),
        ('<definitions xmlns="http://example.com/other"/>', "not a DMN"),
        ('<bpmn xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"/>', "not a DMN"),
    ],
)
def test_not_dmn(source: str, reason: str) -> None:
    with pytest.raises(DmnParseError, match=reason):
        load_dmn(source, "x.dmn")


def test_sandbox_refusal_in_a_cell_names_the_rule() -> None:
    with pytest.raises(DmnParseError) as error:
        load_dmn(table(cell="__import__('os').system('id')"), "cell.dmn")
    assert error.value.element_id == "r1"
    assert "rule 'r1' (row 1)" in str(error.value) and "refused by the sandbox" in str(error.value)
    assert "cell.dmn:7" in str(error.value)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"output": "open('/etc/passwd')"}, "output 'out'"),
        ({"expression": "amount.__class__"}, "input expression"),
        ({"cell": "[1.."}, "neither FEEL"),
        ({"policy": "SOMETIMES"}, "unknown hit policy"),
        ({"policy": "PRIORITY"}, "needs output values"),
        (
            {
                "requirement": '<informationRequirement><requiredDecision href="#nope"/>'
                "</informationRequirement>"
            },
            "'nope' is not in this file",
        ),
        (
            {"requirement": '<informationRequirement><requiredDecision href="#d"/></informationRequirement>'},
            "cycle",
        ),
    ],
)
def test_load_refuses_with_clear_reason(kwargs: dict, fragment: str) -> None:
    with pytest.raises(DmnParseError, match=fragment):
        load_dmn(table(**kwargs), "t.dmn")


def test_python_cell_with_comparison_prefix_and_equality() -> None:
    model = load_dmn(table(cell="in ('A', 'B')", expression="kind"))
    assert model.evaluate("d", {"kind": "A"}).output == {"out": "X"}
    assert model.evaluate("d", {"kind": "C"}).output is None
    threshold = load_dmn(table(cell="&lt; ceiling * 2"))
    assert threshold.decisions["d"].rules[0].input_entries[0].python == "(amount) < ceiling * 2"
    assert threshold.evaluate("d", {"amount": 5, "ceiling": 3}).output == {"out": "X"}
    assert threshold.evaluate("d", {"amount": 6, "ceiling": 3}).output is None
    equality = load_dmn(table(cell="limit_kind", expression="kind"))
    assert equality.evaluate("d", {"kind": "A", "limit_kind": "A"}).output == {"out": "X"}
    assert equality.evaluate("d", {"kind": "A", "limit_kind": "B"}).output is None


def test_validate_reports_every_problem() -> None:
    problems = validate_dmn((DATA / "broken.dmn").read_bytes(), "broken.dmn")
    messages = [str(p) for p in problems]
    assert all(p.filename == "broken.dmn" and p.line for p in problems)
    expected = [
        ("bad_import", "duplicate id 'bad_import'"),
        ("bad_table", "aggregation SUM needs hit policy COLLECT"),
        ("bad_import", "refused by the sandbox: name '__import__'"),
        ("bad_output", "refused by the sandbox: open is not allowed"),
        ("bad_count", "has 2 input and 1 output entries"),
        ("bad_import", "neither FEEL"),
        ("prio_without_values", "needs output values"),
    ]
    for element_id, fragment in expected:
        assert any(p.element_id == element_id and fragment in p.message for p in problems), (
            fragment,
            messages,
        )
    assert len(problems) == len(expected)


def test_validate_names_an_input_without_expression_or_label_by_its_id() -> None:
    # DecisionInput.key gave None here, so the cell's problem said "input None" (found by mypy)
    source = table(expression="", cell="__import__('os')").replace(' label="Amount"', "")
    messages = [p.message for p in validate_dmn(source, "t.dmn")]
    assert "input 'i' has no expression" in messages
    assert any("input 'i': " in m and "refused by the sandbox" in m for m in messages), messages


def test_validate_aggregation_needs_one_output() -> None:
    source = table(policy="COLLECT").replace(
        'hitPolicy="COLLECT"', 'hitPolicy="COLLECT" aggregation="MEDIAN"'
    )
    assert any("unknown aggregation" in p.message for p in validate_dmn(source, "t.dmn"))
    two_outputs = (
        table(policy="COLLECT")
        .replace('hitPolicy="COLLECT"', 'hitPolicy="COLLECT" aggregation="SUM"')
        .replace('<output id="o" name="out" />', '<output id="o" name="out" /><output id="o2" name="b" />')
    )
    messages = [p.message for p in validate_dmn(two_outputs, "t.dmn")]
    assert any("exactly one output" in m for m in messages)
    assert any("has 1 input and 1 output entries" in m for m in messages)
