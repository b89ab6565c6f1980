"""A rules file's decision is parsed once and kept until the file's content changes."""

from __future__ import annotations

from pathlib import Path

from app.engine.dmn import decision_in_force

TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="t" namespace="x">
  <decision id="months" name="Months">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i" label="Class"><inputExpression id="ie" typeRef="string"><text>loan_class</text></inputExpression></input>
      <output id="o" name="review_months" typeRef="number"/>
      <rule id="{rule}">
        <inputEntry id="r_in"><text>-</text></inputEntry>
        <outputEntry id="r_out"><text>{months}</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _write(path: Path, rule: str, months: int) -> None:
    path.write_text(TABLE.format(rule=rule, months=months), encoding="utf-8")


def test_a_table_written_again_is_in_force_at_the_next_reading(tmp_path: Path) -> None:
    """The new rule is seen at once, even rewritten in the same instant with the same size."""
    path = tmp_path / "review_frequency.dmn"
    _write(path, "Rule_1", 1)
    first = decision_in_force(path, "months").evaluate({"loan_class": "substandard"})
    assert (first.output["review_months"], first.matched_rule_ids) == (1, ["Rule_1"])
    _write(path, "Rule_2", 2)  # as a deployment writes its snapshot back to rules/
    second = decision_in_force(path, "months").evaluate({"loan_class": "substandard"})
    assert (second.output["review_months"], second.matched_rule_ids) == (2, ["Rule_2"])


def test_an_unchanged_table_is_parsed_once(tmp_path: Path) -> None:
    path = tmp_path / "review_frequency.dmn"
    _write(path, "Rule_1", 3)
    kept = decision_in_force(path, "months")
    path.touch()  # a file touched, not changed
    assert decision_in_force(path, "months") is kept
