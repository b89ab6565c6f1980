"""rules/loan_classification.dmn: the five categories (五级分类) at their days-past-due thresholds
(0/90/270/360) and expected-loss shares, a confirmed warning at least special mention."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.engine.dmn import load_dmn

RULES = Path(__file__).resolve().parents[2] / "rules"
TABLE = load_dmn((RULES / "loan_classification.dmn").read_text(encoding="utf-8")).decisions[
    "loan_classification"
]


@pytest.mark.parametrize(
    "days, loss, assessment, expected",
    [
        (0, 0, None, "normal"),
        (None, None, None, "normal"),
        (0, 0, "false_alarm", "normal"),
        (0, 0, "confirmed", "special_mention"),
        (0, 0, "overdue", "special_mention"),
        (1, 0, None, "special_mention"),
        (90, 0, None, "special_mention"),
        (91, 0, None, "substandard"),
        (270, 0, None, "substandard"),
        (271, 0, None, "doubtful"),
        (360, 0, None, "doubtful"),
        (361, 0, None, "loss"),
        (0, 19.9, None, "special_mention"),
        (0, 20, None, "substandard"),
        (0, 50, None, "doubtful"),
        (0, 90, None, "loss"),
        (100, 60, None, "doubtful"),  # the worse of the two
    ],
)
def test_each_threshold(days, loss, assessment, expected):
    result = TABLE.evaluate({"days_past_due": days, "expected_loss_pct": loss, "assessment": assessment})
    assert result.output["five_category"] == expected
