"""The collateral policy, read from its decision tables as they stand now: the haircut of a kind
(``rules/collateral_haircut.dmn``) with the rule that gave it, and how many months a valuation of a kind holds
(``rules/collateral_revaluation.dmn``). A revaluation process calls the same tables from its diagram (the versions
it was deployed with); the register reads them when an item is recorded.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import current_app

from app.engine.dmn import decision_in_force, rule_descriptions_in_force
from app.services.customers.facilities.facility_terms import add_months

HAIRCUT_FILE, HAIRCUT = "collateral_haircut.dmn", "collateral_haircut"
REVALUATION_FILE, REVALUATION = "collateral_revaluation.dmn", "collateral_revaluation"


def _evaluate(filename: str, decision_id: str, kind: str):
    table = decision_in_force(Path(current_app.config["RULES_DIR"]) / filename, decision_id)
    return table.evaluate({"collateral_kind": kind})


def haircut_of(kind: str) -> tuple[Decimal, str]:
    """The haircut (a fraction: 0.30 is 30%) of ``kind`` and the id of the rule that gave it."""
    result = _evaluate(HAIRCUT_FILE, HAIRCUT, kind)
    value = Decimal(str(result.single_output["haircut"])).quantize(Decimal("0.0001"))
    return value, result.matched_rule_ids[0]


def haircut_rule_text(rule_id: str | None) -> str | None:
    """What the haircut table in force says of its rule ``rule_id`` (its description, both languages), or None
    when the table no longer holds it (an item keeps the rule it was recorded under)."""
    if not rule_id:
        return None
    return (
        rule_descriptions_in_force(Path(current_app.config["RULES_DIR"]) / HAIRCUT_FILE).get(rule_id) or None
    )


def revaluation_months(kind: str) -> int:
    """How many months a valuation of ``kind`` holds before the item is revalued."""
    return int(_evaluate(REVALUATION_FILE, REVALUATION, kind).single_output["revaluation_months"])


def next_revaluation(kind: str, valued_on: date) -> date:
    """When an item of ``kind`` valued on ``valued_on`` falls due again (calendar months, the month's last day
    when the day is past it), as the revaluation diagram counts it."""
    return add_months(valued_on, revaluation_months(kind))
