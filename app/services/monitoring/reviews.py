"""Periodic reviews (定期检查): each customer with a live facility is reviewed as often as
``rules/review_frequency.dmn`` says for its grade and five-category class. A daily beat job starts the
reviews that fall due — each its own ``periodic_review`` instance, so twenty years of reviews are twenty
small instances — and catches up after downtime: every customer due is started once, none twice.

When a review completes, its statements are kept on the customer, an approved new grade (and limit)
recorded — no better than the customer's five-category class allows (``classification``) — and the next
review date set.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, or_, select

from app import engine
from app.errors import DomainError, Unavailable
from app.extensions import db
from app.localtime import local_date, local_today
from app.models import Customer, Facility, FacilityChange, FinancialStatement, ProcessInstance, User
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.audit import audit
from app.services.cases import cases
from app.services.customers.master.customers import store_statements
from app.services.monitoring import classification, review_schedule
from app.services.shared import one_by_one

PROCESS, MESSAGE = "periodic_review", "review_due"
LIVE = LIVE_FACILITY_STATUSES


def _first_due(customer: Customer, decided: date) -> date:
    return review_schedule.due_after(decided, customer.grade, customer.loan_class)[0]


def start_due(actor: User | None = None, today: date | None = None) -> list[int]:
    """Start the review of every watched customer whose review is due and not already running; a
    customer never reviewed is first given its date (from its facility's decision)."""
    today = today or local_today()
    running = exists().where(
        ProcessInstance.customer_id == Customer.id,
        ProcessInstance.process_id == PROCESS,
        ProcessInstance.status == "running",
    )
    watched = (
        select(Customer, func.max(Facility.decided_at))
        .join(Facility, Facility.customer_id == Customer.id)
        .where(
            Facility.status.in_(LIVE),
            ~running,
            or_(Customer.next_review_on.is_(None), Customer.next_review_on <= today),
        )
        .group_by(Customer.id)
        .order_by(Customer.id)
    )
    started = []
    for customer, decided_at in db.session.execute(watched).all():
        customer_id = customer.id
        try:
            if customer.next_review_on is None:
                customer.next_review_on = _first_due(customer, local_date(decided_at))
                db.session.commit()
            if customer.next_review_on > today:
                continue
            started.append(cases.start_by_message(PROCESS, MESSAGE, _payload(customer), actor).id)
        except Unavailable:  # the database is away or the audit log held: the next run starts it again
            db.session.rollback()
            raise
        except DomainError:  # its process failed (recorded), or another scheduler started it first (the
            db.session.rollback()  # database allows one running review per customer); the others still start
        except Exception as exc:  # noqa: BLE001 - this customer's failure, recorded; the others still start
            audit.record(
                "engine.error",
                actor,
                customer_id=customer_id,
                process_id=PROCESS,
                element=None,
                reason=one_by_one.failed("review of customer", customer_id, exc),
            )
            db.session.commit()
    if started:
        audit.record("review.started", actor, count=len(started), on=today.isoformat())
        db.session.commit()
    return started


def _payload(customer: Customer) -> dict[str, Any]:
    due_on = customer.next_review_on
    assert due_on is not None  # start_due gives a customer its date first
    officer = db.session.get(User, customer.officer_id) if customer.officer_id else None
    limit = (
        db.session.scalar(
            select(func.sum(Facility.limit_amount)).where(
                Facility.customer_id == customer.id, Facility.status.in_(LIVE)
            )
        )
        or 0
    )
    statements = [
        {"fiscal_year": year, **items}
        for year, items in db.session.execute(
            select(FinancialStatement.fiscal_year, FinancialStatement.items)
            .where(FinancialStatement.customer_id == customer.id)
            .order_by(FinancialStatement.fiscal_year.desc())
            .limit(5)
        )
    ]
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "uscc": customer.uscc,
        "officer": officer.username if officer else None,
        "industry": customer.industry,
        "size": customer.size,
        "credit_record": customer.credit_record,
        "listed": customer.listed,
        "in_group": bool(customer.group_name),
        "grade": customer.grade,
        "loan_class": customer.loan_class,
        "due_on": due_on.isoformat(),
        "limit_amount": float(limit),
        "statements": statements,
    }


def after_step(instance: ProcessInstance, result: engine.StepResult, actor: User | None) -> None:
    """A completed review: statements kept, an approved grade and limit recorded, the next date set."""
    if instance.process_id != PROCESS or not result.completed:
        return
    data = result.data
    customer = db.session.get(Customer, data.get("customer_id"))
    if customer is None:
        return
    if data.get("statements"):
        store_statements(customer.id, instance, data["statements"], actor)
    before = {
        "grade": customer.grade,
        "next_review_on": customer.next_review_on.isoformat() if customer.next_review_on else None,
    }
    rated = (customer.grade, customer.loan_class)
    customer.grade = data.get("grade") or customer.grade
    customer.next_review_on = date.fromisoformat(data["next_review_on"])
    classification.settle(customer, instance, actor, "review", rated, data.get("capped_from"))  # capped again
    review_schedule.follow_policy(customer, instance, actor)  # a class changed while it ran: sooner
    if data.get("review_decision") == "approve" and data.get("new_limit") is not None:
        _change_limit(customer, instance, Decimal(str(data["new_limit"])), actor)
    audit.record(
        "customer.reviewed",
        actor,
        customer_id=customer.id,
        instance_id=instance.id,
        before=before,
        after={"grade": customer.grade, "next_review_on": customer.next_review_on.isoformat()},
        outcome=data.get("outcome"),
    )


def _change_limit(
    customer: Customer, instance: ProcessInstance, new_limit: Decimal, actor: User | None
) -> None:
    facility = db.session.scalar(
        select(Facility)
        .where(Facility.customer_id == customer.id, Facility.status.in_(LIVE))
        .order_by(Facility.id.desc())
        .limit(1)
    )
    if facility is None:
        return
    before = {"limit_amount": str(facility.limit_amount), "grade": facility.grade}
    facility.limit_amount, facility.grade = new_limit.quantize(Decimal("0.01")), customer.grade
    after = {"limit_amount": str(facility.limit_amount), "grade": facility.grade}
    db.session.add(
        FacilityChange(
            facility_id=facility.id,
            instance_id=instance.id,
            action="review",
            before=before,
            after=after,
            applied_by_id=actor.id if actor else None,
            applied_at=utcnow(),
        )
    )
    audit.record(
        "facility.changed",
        actor,
        customer_id=customer.id,
        instance_id=instance.id,
        facility_id=facility.id,
        action="review",
        before=before,
        after=after,
    )
