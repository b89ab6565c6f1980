"""Renewal (续授信): a new credit application for a facility that nears its maturity, prefilled from what the
bank knows and linked to the facility it would replace.

``CREDIT_RENEWAL_LEAD_DAYS`` (90) before a live facility matures, a beat job (``propose_due``) proposes its
renewal: a ``credit_application`` case whose intake is filled from the customer's master data and the
current facility (limit as the amount asked, its term), whose statements step offers the customer's latest
statements, opened for the customer's officer — the intake is theirs and they are told. The customer's
officer may also propose one by hand, earlier, from the maturing list or the customer's page (``propose``).

One renewal per facility, ever: the case claims the facility when it starts (``facility_terms``), so a job run
twice, two workers, or a person pressing the button while the job runs never start a second. What happens to
the facility when the renewal is decided is ``facility_terms``'s (approved: it ends, ``renewed``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import Conflict, NotAuthorized, NotFound, Unavailable
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, Customer, Facility, ProcessInstance, User
from app.services.audit import audit
from app.services.cases import cases
from app.services.customers.facilities import facility_terms
from app.services.customers.master import known
from app.services.shared import one_by_one

PROCESS = "credit_application"


# A facility matured longer ago than this is not proposed by the schedule (the list shows it to its officer): on
# the first run after facilities are dated, years of old limits would otherwise all become applications at once.
OVERDUE_WINDOW_DAYS = 30


def lead_days() -> int:
    """How many days before its maturity a facility's renewal is proposed (``CREDIT_RENEWAL_LEAD_DAYS``)."""
    return int(current_app.config["RENEWAL_LEAD_DAYS"])


def may_propose(user: User, facility: Facility) -> bool:
    """Whether ``user`` may propose the renewal of ``facility`` now: its customer's officer, while it is live
    and has none."""
    return (
        user.role == "officer"
        and facility.customer.officer_id == user.id
        and facility.status in facility_terms.LIVE
        and facility.renewal_case_id is None
    )


def propose(user: User, facility_id: int) -> ProcessInstance:
    """The customer's officer proposes the renewal of ``facility_id`` by hand; returns the new case (its intake
    waits for them). 409 naming the case if it has one already, or if it is not live."""
    facility = db.session.get(Facility, facility_id)
    if facility is None:
        raise NotFound(_("There is no facility %(id)s.", id=facility_id))
    if user.role != "officer" or facility.customer.officer_id != user.id:
        raise NotAuthorized(_("Only the customer's officer proposes the renewal of its facility."))
    if not may_propose(user, facility):
        raise facility_terms.not_renewable(facility)
    return _start(facility, user, on_behalf=False)


def propose_due(today: date | None = None) -> list[int]:
    """Propose the renewal of every active facility maturing within the lead days (or matured within the last
    ``OVERDUE_WINDOW_DAYS`` and still active) that has none, for its customer's active officer (a frozen one is
    under a risk control: its officer proposes it by hand, and the renewal stays frozen); returns the new cases' ids. Each in its own
    transaction: one facility's failure is recorded on it (``facility.renewal_failed``) and the others go on;
    a facility proposed meanwhile (by hand, by another worker) is left as it is."""
    today = today or local_today()
    horizon, oldest = today + timedelta(days=lead_days()), today - timedelta(days=OVERDUE_WINDOW_DAYS)
    due = db.session.execute(
        select(Facility.id, User.id)
        .join(Customer, Customer.id == Facility.customer_id)
        .join(User, User.id == Customer.officer_id)
        .where(
            Facility.status == "active",
            Facility.renewal_case_id.is_(None),
            Facility.matures_on.is_not(None),
            Facility.matures_on.between(oldest, horizon),
            User.active.is_(True),
            User.role == "officer",
        )
        .order_by(Facility.matures_on, Facility.id)
    ).all()
    started = []
    for facility_id, officer_id in due:
        try:
            facility, officer = db.session.get(Facility, facility_id), db.session.get(User, officer_id)
            if facility is None or officer is None or facility.renewal_case_id is not None:
                continue
            started.append(_start(facility, officer, on_behalf=True).id)
        except Unavailable:  # the database is away or the audit log held: the next run proposes it
            db.session.rollback()
            raise
        except Conflict:  # proposed meanwhile (one renewal per facility): nothing to do
            db.session.rollback()
        except Exception as exc:  # noqa: BLE001 - this facility's failure, recorded; the others go on
            reason = one_by_one.failed("renewal of facility", facility_id, exc)
            customer_id = _customer_of(facility_id)
            if _last_failure(customer_id, facility_id) != reason:
                audit.record(
                    "facility.renewal_failed",
                    None,
                    customer_id=customer_id,
                    facility_id=facility_id,
                    reason=reason,
                )
                db.session.commit()
    return started


def _customer_of(facility_id: int) -> int | None:
    return db.session.scalar(select(Facility.customer_id).where(Facility.id == facility_id))


def _last_failure(customer_id: int | None, facility_id: int) -> str | None:
    """The reason of the last recorded failure to propose this facility's renewal, if any: the job runs every
    hour, and a failure that stays the same is recorded once, not once a run (a new reason is recorded)."""
    payloads = db.session.scalars(
        select(AuditEvent.payload)
        .where(AuditEvent.event_type == "facility.renewal_failed", AuditEvent.customer_id == customer_id)
        .order_by(AuditEvent.id.desc())
    )
    return next((p.get("reason") for p in payloads if p.get("facility_id") == facility_id), None)


def _start(facility: Facility, officer: User, *, on_behalf: bool) -> ProcessInstance:
    reference = facility.instance.reference
    matures = facility.matures_on.isoformat() if facility.matures_on else None
    carried = {"renews_facility_id": facility.id, "renews_reference": reference, "renews_matures_on": matures}
    return cases.start_case(officer, PROCESS, intake_of(facility), carried=carried, on_behalf=on_behalf)


def intake_of(facility: Facility) -> dict[str, Any]:
    """The renewal's intake: the customer's master data, the current facility's limit as the amount asked and
    its term, and the purpose naming the facility renewed (the officer checks and sends it)."""
    data = known.intake_fields(facility.customer)
    if facility.limit_amount and facility.limit_amount > 0:
        data["requested_amount"] = float(facility.limit_amount)
    if facility.term_months:
        data["requested_term_months"] = facility.term_months
    data["purpose"] = _(
        "Renewal of facility %(reference)s, maturing on %(date)s.",
        reference=facility.instance.reference,
        date=facility.matures_on.isoformat() if facility.matures_on else "-",
    )
    return data
