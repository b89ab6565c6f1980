"""Decision tests (rules/<table>.tests.json): a malformed file is a failed case naming it, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.services.design.testing import decision_tests

ROOT = Path(__file__).resolve().parents[2]
DMN = "review_frequency.dmn"


def run(text: str) -> list[decision_tests.CaseResult]:
    return decision_tests.run(DMN, (ROOT / "rules" / DMN).read_text(encoding="utf-8"), text)


def test_the_shipped_cases_pass():
    results = run((ROOT / "rules" / "review_frequency.tests.json").read_text(encoding="utf-8"))
    assert results and all(r.ok for r in results)


def test_a_wrong_expectation_fails_naming_the_case():
    [result] = run(
        json.dumps(
            {
                "decision": "review_frequency",
                "cases": [
                    {
                        "name": "A",
                        "inputs": {"grade": "A", "loan_class": "normal"},
                        "expected": {"review_months": 3},
                    }
                ],
            }
        )
    )
    assert (result.file, result.name, result.ok) == ("review_frequency.tests.json", "A", False)
    assert result.message.startswith('expected {"review_months": 3}, got')


@pytest.mark.parametrize(
    ("cases", "message"),
    [
        ([1], 'a case must be an object with "inputs" (an object) and "expected"'),
        ([{"inputs": [1]}], 'a case must be an object with "inputs" (an object) and "expected"'),
        (
            [
                {
                    "inputs": {"grade": json.loads("[" * 900 + "]" * 900), "loan_class": "normal"},
                    "expected": {},
                }
            ],
            "the case is nested too deeply to run",
        ),
    ],
)
def test_a_malformed_case_fails_naming_it(cases, message):
    [result] = run(json.dumps({"decision": "review_frequency", "cases": cases}))
    assert (result.file, result.name, result.ok, result.message) == (
        "review_frequency.tests.json",
        "case 1",
        False,
        message,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (json.dumps({"decision": "review_frequency", "cases": "abc"}), '"cases" must be a list of cases'),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
    ],
)
def test_a_malformed_file_fails_naming_it(text, message):
    assert run(text) == [decision_tests.CaseResult("review_frequency.tests.json", "-", False, message)]
