"""The inspection schedule (贷后检查计划), run by beat (``start_due``, every ``CREDIT_INSPECTION_CHECK_SECONDS``):

1. **Plan.** A facility drawn down (its ``start_on``) within the last ``FIRST_CATCH_UP_DAYS`` that has no first
   inspection gets one, due ``inspection_frequency`` days (15) after the drawdown: use-of-funds tracing
   (资金用途核查). A customer with a live facility and no inspection planned or under way (never inspected, or
   its plan cancelled) gets a scheduled one, due by the table from its last visit (or its latest drawdown),
   never before its notice period from today. A planned scheduled inspection gives way to a first one.
2. **Cancel.** A planned inspection of a customer left without a live facility is cancelled.
3. **Open.** Every planned inspection whose day to open has come starts its ``post_loan_inspection`` case (the
   step's reaction claims the row: ``steps``).

The database holds one inspection at a time per customer (``ux_inspection_one_open``) and a first one per
facility, so two beats at once plan nothing twice, and an inspection opened by one is skipped by the other
(each customer and each opening in its own transaction; one's failure is its own, recorded once per reason).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, DomainError, Unavailable
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, Customer, Facility, Inspection, User
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.models.customers.inspection import OPEN_STATUSES
from app.services.audit import audit
from app.services.cases import cases
from app.services.customers.inspections import facts, schedule
from app.services.shared import one_by_one
from app.services.shared.rows import insert_returning_id, rowcount

PROCESS, MESSAGE = "post_loan_inspection", "inspection_due"
FIRST_CATCH_UP_DAYS = 30  # a drawdown older than this when inspections began gets a scheduled one instead


def _live(customer_id):
    return exists().where(Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES))


def start_due(actor: User | None = None, today: date | None = None) -> list[int]:
    """Plan what is missing, cancel what is no longer needed and open every inspection due to open; returns
    the cases started."""
    today = today or local_today()
    plan(today)
    cancel_unwatched()
    started = []
    for inspection_id in db.session.scalars(
        select(Inspection.id)
        .where(Inspection.status == "planned", Inspection.opens_on <= today, _live(Inspection.customer_id))
        .order_by(Inspection.due_on, Inspection.id)
    ).all():
        try:
            started.append(open_planned(inspection_id, actor).id)
        except Unavailable:  # the database is away or the audit log held: the next run opens it
            db.session.rollback()
            raise
        except DomainError as exc:  # opened meanwhile by another beat (409), or its process failed
            db.session.rollback()
            if not isinstance(exc, Conflict):
                _record_failure(inspection_id, one_by_one.reason(exc))
        except Exception as exc:  # noqa: BLE001 - this inspection's failure, recorded; the others open
            _record_failure(inspection_id, one_by_one.failed("inspection", inspection_id, exc))
    if started:
        audit.record("inspection.opened", actor, count=len(started), on=today.isoformat())
        db.session.commit()
    return started


def open_planned(inspection_id: int, actor: User | None) -> Any:
    """Start the case of one planned inspection (its step claims the row, or the start is rolled back)."""
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.status != "planned":
        raise Conflict(f"inspection {inspection_id} is no longer planned")
    return cases.start_by_message(PROCESS, MESSAGE, facts.payload_of(inspection), actor)


def _record_failure(inspection_id: int, reason: str) -> None:
    """``inspection.start_failed`` on the customer's trail, once per reason (the beat runs every hour)."""
    customer_id = db.session.scalar(select(Inspection.customer_id).where(Inspection.id == inspection_id))
    last = db.session.scalar(
        select(AuditEvent.payload)
        .where(AuditEvent.event_type == "inspection.start_failed", AuditEvent.customer_id == customer_id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if last and last.get("inspection_id") == inspection_id and last.get("reason") == reason:
        return
    audit.record(
        "inspection.start_failed", None, customer_id=customer_id, inspection_id=inspection_id, reason=reason
    )
    db.session.commit()


def plan(today: date) -> int:
    """Plan the first inspections of recent drawdowns and a scheduled one for every watched customer without
    any; returns how many were planned."""
    planned = 0
    for facility_id in _drawdowns_without_first(today):
        planned += _each(lambda f=facility_id: _plan_first(f, today))
    for customer_id in _watched_without_plan():
        planned += _each(lambda c=customer_id: _plan_scheduled(c, today))
    return planned


def _each(step) -> int:
    try:
        done = step()
        db.session.commit()
        return 1 if done else 0
    except IntegrityError:  # another beat planned it first (one open per customer, one first per facility)
        db.session.rollback()
        return 0
    except Unavailable:
        db.session.rollback()
        raise


def _drawdowns_without_first(today: date) -> list[int]:
    """Live facilities drawn within the catch-up window that no first inspection traces, latest drawdown
    first: a first inspection of the customer opening on or after a drawdown traces it too (the officer
    follows every sum drawn by then)."""
    traced = exists().where(
        Inspection.customer_id == Facility.customer_id,
        Inspection.kind == "first",
        Inspection.status != "cancelled",
        Inspection.opens_on >= Facility.start_on,
    )
    return list(
        db.session.scalars(
            select(Facility.id)
            .where(
                Facility.status.in_(LIVE_FACILITY_STATUSES),
                Facility.start_on.is_not(None),
                Facility.start_on >= today - timedelta(days=FIRST_CATCH_UP_DAYS),
                ~exists().where(Inspection.facility_id == Facility.id),
                ~traced,
            )
            .order_by(Facility.start_on.desc(), Facility.id.desc())
        )
    )


def _watched_without_plan() -> list[int]:
    """Customers with a live facility and no inspection planned or under way (set-based, one query)."""
    return list(
        db.session.scalars(
            select(Customer.id)
            .where(
                _live(Customer.id),
                ~exists().where(Inspection.customer_id == Customer.id, Inspection.status.in_(OPEN_STATUSES)),
            )
            .order_by(Customer.id)
        )
    )


def _plan_first(facility_id: int, today: date) -> bool:
    facility = db.session.get(Facility, facility_id)
    if facility is None or facility.start_on is None:
        return False
    customer = facility.customer
    terms = schedule.terms_for(customer, first=True)
    due = terms.due_after(facility.start_on)
    opens = min(terms.opens_before(due), today)
    current = _open_of(customer.id)
    if current is not None and current.status != "planned":
        return False  # under way: this drawdown is traced once it is signed off (the next beat plans it)
    if current is not None and current.kind == "first":  # an earlier drawdown's, not opened yet: it traces
        due, opens = min(due, current.due_on), min(opens, current.opens_on)  # both, by the earlier dates
    values: dict[str, Any] = {
        "kind": "first",
        "facility_id": facility.id,
        "due_on": due,
        "opens_on": opens,
        "rule_id": terms.rule,
    }
    if current is not None:
        done = db.session.execute(
            update(Inspection)
            .where(Inspection.id == current.id, Inspection.status == "planned")
            .values(**values)
        )
        if rowcount(done) != 1:
            return False
        inspection_id = current.id
    else:
        inspection_id = _insert(customer.id, values)
    audit.record(
        "inspection.planned",
        None,
        customer_id=customer.id,
        inspection_id=inspection_id,
        kind="first",
        facility_id=facility.id,
        due_on=due.isoformat(),
        rule=terms.rule,
    )
    return True


def _plan_scheduled(customer_id: int, today: date) -> bool:
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        return False
    terms = schedule.terms_for(customer, first=False)
    since = last_visit_on(customer_id) or _latest_drawdown(customer_id) or today
    due = max(terms.due_after(since), today + timedelta(days=terms.notice_days))
    values = {"kind": "scheduled", "due_on": due, "opens_on": terms.opens_before(due), "rule_id": terms.rule}
    inspection_id = _insert(customer_id, values)
    audit.record(
        "inspection.planned",
        None,
        customer_id=customer_id,
        inspection_id=inspection_id,
        kind="scheduled",
        due_on=due.isoformat(),
        rule=terms.rule,
    )
    return True


def plan_next(customer_id: int, due: date, opens: date, rule: str | None, actor: User | None) -> int | None:
    """The next scheduled inspection, planned when one is signed off (in that step's transaction); none for a
    customer left without a live facility."""
    if not db.session.scalar(select(_live(customer_id))):
        return None
    inspection_id = _insert(
        customer_id, {"kind": "scheduled", "due_on": due, "opens_on": opens, "rule_id": rule}
    )
    audit.record(
        "inspection.planned",
        actor,
        customer_id=customer_id,
        inspection_id=inspection_id,
        kind="scheduled",
        due_on=due.isoformat(),
        rule=rule,
    )
    return inspection_id


def _insert(customer_id: int, values: dict[str, Any]) -> int:
    return insert_returning_id(
        Inspection,
        {
            "customer_id": customer_id,
            "status": "planned",
            "returned_count": 0,
            "created_at": utcnow(),
            **values,
        },
    )


def _open_of(customer_id: int) -> Inspection | None:
    return db.session.scalar(
        select(Inspection).where(Inspection.customer_id == customer_id, Inspection.status.in_(OPEN_STATUSES))
    )


def last_visit_on(customer_id: int) -> date | None:
    """The day of the customer's last visit signed off."""
    return db.session.scalar(
        select(func.max(Inspection.visited_on)).where(
            Inspection.customer_id == customer_id, Inspection.status == "signed_off"
        )
    )


def _latest_drawdown(customer_id: int) -> date | None:
    return db.session.scalar(
        select(func.max(Facility.start_on)).where(
            Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES)
        )
    )


def cancel_unwatched() -> int:
    """Cancel the planned inspections of customers with no live facility left (one statement)."""
    done = db.session.execute(
        update(Inspection)
        .where(Inspection.status == "planned", ~_live(Inspection.customer_id))
        .values(status="cancelled")
        .execution_options(synchronize_session=False)
    )
    count = rowcount(done)
    if count:
        audit.record("inspection.cancelled", None, count=count, reason="no live facility")
    db.session.commit()
    return count
