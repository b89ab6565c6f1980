"""Each risk-control action changes the facility as it says, with before and after kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Facility, FacilityChange, ProcessInstance
from app.services.monitoring import risk_controls
from tests.workflows.test_warning_escalation import approved_customer


@pytest.mark.parametrize(
    "control, field, expected",
    [
        ({"action": "reduce_limit", "reduce_share": 0.25}, "limit_amount", Decimal("3750000.00")),
        ({"action": "freeze"}, "status", "frozen"),
        ({"action": "exit"}, "status", "exited"),
        ({"action": "raise_margin", "margin_add_pct": 0.5}, "margin_pct", Decimal("1.700")),
        ({"action": "shorten_term", "term_months": 6}, "term_months", 6),
        (
            {"action": "require_guarantee"},
            "risk_controls",
            "按季报送财务报表; 追加保证担保 / a guarantee required",
        ),
    ],
)
def test_each_action_changes_the_facility(deployed, people, control, field, expected):
    customer = approved_customer(people)
    case = db.session.scalar(select(ProcessInstance).where(ProcessInstance.customer_id == customer.id))
    risk_controls._apply(customer, case, control, people.approver2)
    db.session.commit()
    facility = db.session.scalar(select(Facility).where(Facility.customer_id == customer.id))
    assert getattr(facility, field) == expected
    change = db.session.scalar(select(FacilityChange))
    assert change.action == control["action"] and change.after[field] != change.before[field]


def test_the_watchlist_action_flags_the_customer_and_leaves_the_facility(deployed, people):
    customer = approved_customer(people)
    case = db.session.scalar(select(ProcessInstance).where(ProcessInstance.customer_id == customer.id))
    risk_controls._apply(customer, case, {"action": "watchlist"}, people.approver1)
    db.session.commit()
    assert db.session.get(Customer, customer.id).watchlist is True
    assert db.session.scalar(select(FacilityChange)) is None
