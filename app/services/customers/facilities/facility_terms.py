"""Facilities that end (授信到期): each facility's dates, and the link between a renewal (续授信) and the facility
it replaces.

**Dates.** A facility starts on the Beijing date it is recorded (the day the application that decided it is
signed off) and matures ``term_months`` later, on the same day of the month, or on the month's last day when
the start's day is past it (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February).
A rejection records no facility to speak of, so no dates.

**Renewal.** A renewal is a credit application whose case data names the facility it renews
(``renews_facility_id``, carried in when it starts: ``renewals.propose``). When the case is first linked to its
customer (the step that starts it) the facility is claimed for it: ``renewal_case_id`` is set where it was
empty, in that step's transaction, so a facility is renewed by one case, ever — a second start is refused
(409) and rolled back whole. The intake is given to the case's officer (its starter: the customer's
officer). When the renewal is approved, the new facility records the one it renews, and that one ends at
once with status ``renewed``: the new limit replaces it, so exposure never counts both. A rejected or
withdrawn renewal leaves the facility to run to its maturity.
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Facility, FacilityChange, HumanTask, ProcessInstance, User
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.audit import audit
from app.services.shared.rows import rowcount

LIVE = LIVE_FACILITY_STATUSES  # a facility that may be drawn on (a frozen one still runs to its maturity)
RENEWED = "renewed"


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, on the month's last day when ``start``'s day is past it."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def maturity(start: date, term_months: int | None) -> date | None:
    """When a facility started on ``start`` for ``term_months`` matures (None: it has no term)."""
    return add_months(start, int(term_months)) if term_months else None


def dates_of(approved: bool, term_months: int | None, today: date | None = None) -> dict[str, date | None]:
    """The dates of a facility recorded now (``today``, Beijing): none for a rejection."""
    if not approved:
        return {"start_on": None, "matures_on": None}
    start = today or local_today()
    return {"start_on": start, "matures_on": maturity(start, term_months)}


def claim_for_renewal(instance: ProcessInstance, data: dict[str, Any], actor: User | None) -> None:
    """The case that starts with ``renews_facility_id`` claims that facility (one renewal per facility,
    ever), and its open intake becomes its officer's. Refused, rolling the start back, if the facility has
    a renewal already or is no longer live."""
    facility_id = data.get("renews_facility_id")
    if not facility_id:
        return
    claimed = db.session.execute(
        update(Facility)
        .where(Facility.id == facility_id, Facility.renewal_case_id.is_(None), Facility.status.in_(LIVE))
        .values(renewal_case_id=instance.id)
    )  # the facility loaded in the session learns it too
    if rowcount(claimed) != 1:
        raise not_renewable(db.session.get(Facility, facility_id))
    if instance.started_by_id is not None:
        db.session.execute(
            update(HumanTask)
            .where(
                HumanTask.instance_id == instance.id,
                HumanTask.state == "ready",
                HumanTask.assignee_id.is_(None),
                HumanTask.lane == "officer",
            )
            .values(assignee_id=instance.started_by_id, claimed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    audit.record(
        "facility.renewal_proposed",
        actor,
        instance_id=instance.id,
        customer_id=instance.customer_id,
        facility_id=facility_id,
        renews=data.get("renews_reference"),
        matures_on=data.get("renews_matures_on"),
        officer_id=instance.started_by_id,
    )


def check_same_customer(instance: ProcessInstance, data: dict[str, Any]) -> None:
    """A renewal stays with the customer whose facility it renews: an intake naming another credit code is
    refused on that field (the step is rolled back)."""
    linked = db.session.scalar(select(Customer.uscc).where(Customer.id == instance.customer_id))
    if linked is not None and data.get("uscc") != linked:
        raise InvalidInput(
            _("A renewal stays with the customer whose facility it renews."),
            {"uscc": _("this renewal is for the customer with credit code %(uscc)s", uscc=linked)},
        )


def not_renewable(facility: Facility | None) -> Conflict:
    """Why ``facility`` cannot be renewed (again): its renewal case, or its state."""
    if facility is None:
        return Conflict(_("The facility to renew is gone."))
    if facility.renewal_case_id is not None:
        case = db.session.get(ProcessInstance, facility.renewal_case_id)
        return Conflict(
            _(
                "Facility %(reference)s already has its renewal: case %(case)s.",
                reference=facility.instance.reference,
                case=case.reference if case else "-",
            ),
            case_id=facility.renewal_case_id,
        )
    return Conflict(
        _(
            "Facility %(reference)s is %(status)s; only a live facility is renewed.",
            reference=facility.instance.reference,
            status=_(facility.status),
        )
    )


def carried_over(old_id: int | None) -> dict[str, Any]:
    """What the renewal of facility ``old_id`` keeps of it: a freeze (冻结) and the risk controls that hold on
    it, so that renewing a frozen facility never lifts a control that the warning escalation put on it."""
    if not old_id:
        return {}
    old = db.session.scalar(select(Facility).where(Facility.id == old_id))
    if old is None or old.status != "frozen":
        return {}
    return {"status": "frozen", "risk_controls": old.risk_controls}


def end_renewed(old_id: int, new_facility_id: int, instance: ProcessInstance, actor: User | None) -> None:
    """The approved renewal ``instance`` replaces facility ``old_id``: it ends now, as ``renewed``."""
    old = db.session.scalar(select(Facility).where(Facility.id == old_id))
    if old is None or old.status not in LIVE:
        return  # exited or ended meanwhile: nothing left to replace
    before = {"status": old.status, "matures_on": old.matures_on.isoformat() if old.matures_on else None}
    old.status = RENEWED
    after = {"status": RENEWED, "renewed_by_facility": new_facility_id}
    db.session.add(
        FacilityChange(
            facility_id=old.id,
            instance_id=instance.id,
            action=RENEWED,
            before=before,
            after=after,
            applied_by_id=actor.id if actor else None,
            applied_at=utcnow(),
        )
    )
    audit.record(
        "facility.renewed",
        actor,
        instance_id=instance.id,
        customer_id=old.customer_id,
        facility_id=old.id,
        before=before,
        after=after,
    )
