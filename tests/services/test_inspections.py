"""The inspection schedule and who may act (贷后检查): the frequency table's days by grade, class, product and
amount; the beat's plan (first inspections of recent drawdowns, scheduled ones otherwise, none for a customer
without a live facility) and its opening, once; an ad hoc inspection in place of the planned one; refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, Inspection
from app.services.customers.inspections import ad_hoc, planning, reads, schedule
from tests.factories import book_customer, facility


def customer_with(people, index=1, limit=5_000_000, term=12, drawn_days_ago=0, **values):
    customer = book_customer(people.officer, index, **{"grade": "A", "loan_class": "normal", **values})
    drawn = datetime.utcnow() - timedelta(days=drawn_days_ago)
    facility(customer, limit, term_months=term, decided_at=drawn)
    db.session.refresh(customer)
    return customer


def planned_of(customer_id: int) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.customer_id == customer_id))


@pytest.mark.parametrize(
    ("values", "limit", "term", "first", "days"),
    [
        ({}, 5_000_000, 12, True, 15),  # use-of-funds tracing after a drawdown
        ({"loan_class": "substandard"}, 5_000_000, 12, False, 30),
        ({"loan_class": "special_mention"}, 5_000_000, 12, False, 30),
        ({"grade": "BB"}, 5_000_000, 12, False, 90),
        ({}, 60_000_000, 12, False, 90),  # a large exposure
        ({}, 20_000_000, 36, False, 90),  # a term loan of CNY 20 million
        ({}, 20_000_000, 12, False, 180),  # a working-capital loan of the same amount
        ({"grade": "AA", "loan_class": None}, 1_000_000, 6, False, 180),
    ],
)
def test_the_frequency_table_gives_the_days_by_grade_class_product_and_amount(
    deployed, people, values, limit, term, first, days
):
    customer = customer_with(people, limit=limit, term=term, **values)
    assert schedule.terms_for(customer, first=first).inspection_days == days


def test_a_drawdown_long_ago_gets_a_scheduled_inspection_never_due_in_the_past(deployed, people):
    old = customer_with(people, drawn_days_ago=400)  # never inspected: half-yearly was due long ago
    [case_id] = planning.start_due()  # due a notice period (30 days) from today, its task open at once
    opened = planned_of(old.id)
    assert (opened.kind, opened.status, opened.instance_id) == ("scheduled", "open", case_id)
    assert opened.due_on == local_today() + timedelta(days=30) and opened.opens_on == local_today()
    assert planning.start_due() == []  # once


def test_a_planned_inspection_opens_on_its_day_and_gives_way_to_a_new_drawdown(deployed, people):
    customer = customer_with(people, drawn_days_ago=400)
    today = local_today()
    planning.plan(today)
    planned = planned_of(customer.id)
    planned.due_on, planned.opens_on = today + timedelta(days=100), today + timedelta(days=70)
    db.session.commit()
    assert planning.start_due() == []
    assert planning.start_due(today=today + timedelta(days=69)) == []
    facility(customer, 3_000_000)  # drawn today: its funds are traced first
    [case_id] = planning.start_due()
    first = planned_of(customer.id)
    assert (first.id, first.kind, first.instance_id) == (planned.id, "first", case_id)
    assert first.due_on == today + timedelta(days=15)
    assert db.session.scalars(select(Inspection.id)).all() == [planned.id]  # still one inspection


def test_a_customer_left_without_a_live_facility_has_its_plan_cancelled(deployed, people):
    customer = book_customer(people.officer, 3, grade="A")
    row = facility(customer, 1_000_000, decided_at=datetime.utcnow() - timedelta(days=400))
    planning.plan(local_today())
    row.status = "exited"
    db.session.commit()
    assert planning.start_due() == []
    assert planned_of(customer.id).status == "cancelled"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "inspection.cancelled"))


def test_an_ad_hoc_inspection_takes_the_place_of_the_planned_one(deployed, people):
    customer = customer_with(people, drawn_days_ago=400)
    planning.plan(local_today())
    planned = planned_of(customer.id)
    case = ad_hoc.start(people.officer, customer.id, {"reason": "主要股东涉诉", "due_on": ""})
    started = planned_of(customer.id)
    assert (started.id, started.kind, started.status, started.instance_id) == (
        planned.id,
        "ad_hoc",
        "open",
        case.id,
    )
    assert (
        started.due_on == local_today() + timedelta(days=7) and started.requested_by_id == people.officer.id
    )
    with pytest.raises(Conflict) as refused:
        ad_hoc.start(people.risk, customer.id, {"reason": "再查一次"})
    assert case.reference in refused.value.message


def test_who_may_start_and_read_inspections(deployed, people, english_request):
    customer = customer_with(people)
    for user in (people.officer2, people.approver1, people.compliance, people.admin):
        with pytest.raises(NotAuthorized):
            ad_hoc.start(user, customer.id, {"reason": "不应受理"})
    with pytest.raises(InvalidInput) as refused:
        ad_hoc.start(people.officer, customer.id, {"reason": "", "due_on": "2099-01-01"})
    assert set(refused.value.errors) == {"reason", "due_on"}
    bare = book_customer(people.officer, 8, grade="A")  # no facility: nothing to inspect
    with pytest.raises(Conflict):
        ad_hoc.start(people.officer, bare.id, {"reason": "走访"})
    assert db.session.scalar(select(Inspection)) is None
    for user in (people.officer, people.compliance, people.designer):
        with pytest.raises(NotAuthorized):
            reads.listing(user)
    assert reads.listing(people.risk).scope == "bank" and reads.listing(people.approver1).scope == "branch"
