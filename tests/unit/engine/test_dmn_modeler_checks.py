"""Validation refuses what dmn-js cannot import or cannot draw: each refusal with a small broken decision, named by
file, element and line."""

from __future__ import annotations

import pytest

from app import engine
from tests.unit.engine.small_diagrams import DECISION, broken, line_number


def test_the_small_decision_passes():
    assert engine.dmn_problems(DECISION, "small.dmn") == []


@pytest.mark.parametrize(
    ("old", "new", "element", "line_of", "reason"),
    [
        (
            '<rule id="rule_2">',
            '<rule id="rule_1">',
            "rule_1",
            '<rule id="rule_1"><inputEntry id="rule_2_in">',
            "'rule_1' is used twice",
        ),
        (
            'dmnElementRef="grade"',
            'dmnElementRef="grading"',
            "grade_di",
            "dmnElementRef",
            "dmnElementRef names 'grading'",
        ),
        (
            'href="#score"',
            'href="#scoring"',
            "needs_score",
            "requiredDecision",
            "names no element of this file",
        ),
        (
            'href="#score"',
            'href="#rule_1"',
            "needs_score",
            "requiredDecision",
            "where it needs a dmn:Decision",
        ),
        (
            '<output id="out_score"',
            '<outputs id="out_score"',
            "out_score",
            '<outputs id="out_score"',
            "is not an element of DMN",
        ),
    ],
)
def test_what_dmn_js_cannot_read_or_draw_is_refused_naming_the_element_and_line(
    old, new, element, line_of, reason
):
    xml = broken(old, new, DECISION)
    problems = engine.dmn_problems(xml, "small.dmn")
    assert any(
        p.filename == "small.dmn"
        and p.element_id == element
        and reason in p.message
        and p.line == line_number(xml, line_of)
        for p in problems
    ), problems
