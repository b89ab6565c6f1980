"""A facility's dates (授信期限): its maturity computed from the Beijing date it is recorded and its term in calendar
months, and moved when a risk control shortens the term; a frozen limit still counts in the exposure."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, Facility, FacilityChange
from app.services.approval.exposure import exposure_of
from app.services.customers.facilities import facility_terms
from app.services.customers.facilities.facility_terms import add_months, dates_of
from tests.factories import approved_case
from tests.services.facilities import facility_of


@pytest.mark.parametrize(
    ("start", "months", "matures"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # past a short month's end: its last day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # a leap year's February
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # into the next year
        (date(2025, 3, 31), 24, date(2027, 3, 31)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
    ],
)
def test_maturity_is_the_start_plus_its_term_in_calendar_months(start, months, matures):
    assert add_months(start, months) == matures
    assert facility_terms.maturity(start, months) == matures
    assert facility_terms.maturity(start, None) is None


def test_a_facility_starts_on_the_beijing_date_of_its_decision():
    with time_machine.travel(
        datetime(2026, 1, 30, 17, 30, tzinfo=UTC), tick=False
    ):  # 01:30 on 31 January in Beijing
        assert dates_of(True, 1) == {"start_on": date(2026, 1, 31), "matures_on": date(2026, 2, 28)}
    assert dates_of(False, 12) == {"start_on": None, "matures_on": None}


def test_a_recorded_facility_is_dated_from_its_decision(deployed, people):
    facility = facility_of(approved_case(people))
    assert facility.status == "active" and facility.term_months == 12
    assert facility.start_on == local_today() and facility.matures_on == add_months(local_today(), 12)
    recorded = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "facility.recorded"))
    assert recorded.payload["matures_on"] == facility.matures_on.isoformat()


def test_a_control_that_shortens_the_term_moves_the_maturity(deployed, people):
    from app.services.monitoring import risk_controls

    facility = facility_of(approved_case(people, 1))
    start, case = facility.start_on, facility.instance
    risk_controls._apply(
        facility.customer, case, {"action": "shorten_term", "term_months": 6}, people.approver2
    )
    db.session.commit()
    db.session.expire_all()
    facility = db.session.get(Facility, facility.id)
    assert facility.term_months == 6 and facility.matures_on == add_months(start, 6)
    change = db.session.scalar(
        select(FacilityChange).where(
            FacilityChange.facility_id == facility.id, FacilityChange.action == "shorten_term"
        )
    )
    assert change.after["matures_on"] == add_months(start, 6).isoformat() != change.before["matures_on"]


def test_a_frozen_limit_counts_in_the_large_exposure_check_as_on_the_customer_page(deployed, people):
    from app.services.cases import cases
    from app.services.customers.page.customer_figures import exposure_of as page_exposure
    from tests.factories import intake

    facility = facility_of(approved_case(people, 1, limit=5_000_000))
    facility.status = "frozen"
    db.session.commit()
    other = cases.start_case(people.officer, "credit_application")
    gate = exposure_of(other, intake(1), 1)
    assert gate.customer_existing == Decimal(5_000_000) == page_exposure(facility.customer).customer_limit
