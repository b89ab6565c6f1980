"""rules/stress_classification.dmn passes its own cases, and over a frame it gives what the engine gives row by
row (the stress test evaluates it over the whole book)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.engine.dmn import compile_decision, evaluate_rows, load_dmn
from app.services.design.testing import decision_tests

RULES = Path(__file__).resolve().parents[2] / "rules"


def test_the_stress_classification_table_passes_its_own_cases():
    results = decision_tests.run(
        "stress_classification.dmn",
        (RULES / "stress_classification.dmn").read_text(encoding="utf-8"),
        (RULES / "stress_classification.tests.json").read_text(encoding="utf-8"),
    )
    assert len(results) == 9 and all(r.ok for r in results), [r.message for r in results if not r.ok]


def test_over_a_frame_it_agrees_with_the_engine():
    decision = load_dmn((RULES / "stress_classification.dmn").read_text(), "stress_classification.dmn")
    frame = pd.DataFrame(
        {
            "days_past_due": [0, None, 5, 91, 271, 361, 0, 0],
            "pd": [0.01, 0.3, 0.001, 0.6, 0.0, 0.0, 0.05, 0.2],
        }
    )
    fast = compile_decision(decision, "stress_classification").evaluate(frame)
    slow = evaluate_rows(decision.decisions["stress_classification"], frame)
    assert fast["loan_class"].tolist() == slow["loan_class"].tolist()
    assert fast["loan_class"].tolist()[:4] == ["normal", "substandard", "special_mention", "doubtful"]
