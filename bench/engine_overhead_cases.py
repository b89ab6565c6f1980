"""The case ``engine_overhead.py`` drives, the same on every path: a different customer per case (its own
USCC, so the customer sync creates a row), its statements, the officer's review, the sign-off and the
compliance checklist; and ``normalized_inputs``, the same data as ``tasks.complete`` hands the engine
(form-normalized), for the bare baselines.

Imported by the bench after it puts the repository root on ``sys.path``.
"""

from __future__ import annotations

from app.services.admin.demo import COMPLIANT
from app.services.design.forms.forms import accept, schema_of
from tests import factories

PROCESS = "credit_application"
SIZES = ("large", "medium", "small", "micro")


def intake_for(index: int) -> dict:
    """A different customer per case (its own USCC, so the customer sync creates a row)."""
    size = SIZES[index % 4]
    amount = {"large": 80_000_000, "medium": 12_000_000, "small": 2_500_000, "micro": 400_000}[size]
    return factories.intake(
        index + 1, size=size, requested_amount=amount, customer_name=f"基准测试{index:05d}号有限公司"
    )


def statements_for(index: int) -> dict:
    assets = {"large": 2e9, "medium": 4e8, "small": 6e7, "micro": 8e6}[SIZES[index % 4]]
    return {"statements": factories.statements(health=1.3, assets=assets)}


def review_for(proposed_limit) -> dict:
    return {
        "proposed_limit": proposed_limit,
        "proposed_term_months": 12,
        "proposed_margin_pct": 1.2,
        "proposed_controls": "按季报送财务报表",
        "officer_opinion": "经营稳健，建议授信。",
    }


SIGNOFF = {"decision": "approve", "comment": "同意。"}


def normalized_inputs(forms, n: int) -> dict:
    """The exact data tasks.complete hands the engine (form-normalized), for the bare baseline."""
    return {
        "intake": [
            accept(schema_of(forms, "application_intake.json"), intake_for(i), "zh_CN") for i in range(n)
        ],
        "statements": [
            accept(schema_of(forms, "financial_statements.json"), statements_for(i), "zh_CN")
            for i in range(n)
        ],
        "signoff": accept(schema_of(forms, "approval_signoff.json"), SIGNOFF, "zh_CN"),
        "compliance": accept(schema_of(forms, "compliance_checklist.json"), COMPLIANT, "zh_CN"),
        "review_schema": schema_of(forms, "review_proposal.json"),
    }
