"""A check of some customers only (``portfolio.scan(customer_ids=...)``, run when a customer's file changes):
the same rules and deduplication as the whole check, so the next whole check raises nothing it raised."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, EarlyWarning
from app.services.monitoring import portfolio
from tests.workflows.test_warning_escalation import approved_customer_of, observe


def test_a_scoped_check_warns_its_customer_only_and_the_whole_check_does_not_warn_it_again(deployed, people):
    first, second = approved_customer_of(people, 1), approved_customer_of(people, 2)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    for customer in (first, second):
        observe(people, customer, on=yesterday, days_past_due="45")

    scoped = portfolio.scan(people.officer, customer_ids=[first.id])

    assert scoped.customers == 1 and len(scoped.raised) == 1
    assert db.session.scalars(select(EarlyWarning.customer_id)).all() == [first.id]
    row = db.session.scalars(
        select(AuditEvent).where(AuditEvent.event_type == "monitoring.customers_checked")
    ).one()
    assert row.payload["customer_ids"] == [first.id] and row.payload["raised"] == 1

    whole = portfolio.scan(people.risk)
    assert len(whole.raised) == 1
    warned = db.session.scalars(select(EarlyWarning.customer_id).order_by(EarlyWarning.id)).all()
    assert warned == [first.id, second.id]


def test_a_scoped_check_of_no_customer_or_one_unknown_reads_nothing(deployed, people):
    observe(people, approved_customer_of(people, 1), days_past_due="45")
    for ids in ([], [10**9]):
        result = portfolio.scan(people.officer, customer_ids=ids)
        assert result.customers == 0 and result.raised == []
    assert db.session.scalar(select(EarlyWarning.id)) is None
