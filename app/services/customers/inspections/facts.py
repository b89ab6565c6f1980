"""What an inspection case starts with (``payload_of``, the ``inspection_due`` message's payload): the customer
and its officer, the kind, the due date and the earliest day a visit may bear, the facility whose funds it
traces with its agreed purpose (授信用途, as the application's intake gave it), the warning an ad hoc one
answers, and the inputs the frequency table reads when the visit is signed off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, EarlyWarning, Facility, HumanTask, Inspection, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.customers.inspections import schedule

INTAKE = "application_intake"  # the credit application's first task: it names the purpose


@dataclass(frozen=True)
class FacilityFacts:
    """A facility as an inspection names it: its case's reference, its drawdown and its agreed purpose."""

    facility_id: int | None
    reference: str | None
    start_on: date | None
    purpose: str | None


def facility_facts(facility: Facility | None) -> FacilityFacts:
    if facility is None:
        return FacilityFacts(None, None, None, None)
    submitted = db.session.scalar(
        select(HumanTask.submitted)
        .where(
            HumanTask.instance_id == facility.instance_id,
            HumanTask.task_spec == INTAKE,
            HumanTask.state == "completed",
        )
        .order_by(HumanTask.completed_at.desc(), HumanTask.id.desc())
        .limit(1)
    )
    purpose = (submitted or {}).get("purpose") if isinstance(submitted, dict) else None
    return FacilityFacts(facility.id, facility.instance.reference, facility.start_on, purpose)


def traced_facility(inspection: Inspection) -> Facility | None:
    """The facility a first inspection traces; for another, the customer's latest live one."""
    if inspection.facility_id is not None:
        return db.session.get(Facility, inspection.facility_id)
    return db.session.scalar(
        select(Facility)
        .where(Facility.customer_id == inspection.customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES))
        .order_by(Facility.start_on.desc().nulls_last(), Facility.id.desc())
        .limit(1)
    )


def earliest_visit_on(inspection: Inspection, facility: FacilityFacts) -> date | None:
    """The earliest day the visit may bear: the drawdown a first inspection traces, else the last visit signed
    off (or the facility's drawdown when there was none)."""
    if inspection.kind == "first":
        return facility.start_on
    last = db.session.scalar(
        select(Inspection.visited_on)
        .where(
            Inspection.customer_id == inspection.customer_id,
            Inspection.status == "signed_off",
            Inspection.visited_on.is_not(None),
        )
        .order_by(Inspection.visited_on.desc())
        .limit(1)
    )
    return last or facility.start_on


def payload_of(
    inspection: Inspection, *, warning: EarlyWarning | None = None, reason: str | None = None
) -> dict[str, Any]:
    """The start message's payload of ``inspection``: a planned row, or (ad hoc) a transient one carrying the
    kind and due date asked for and the id of the planned row it takes the place of, if any; the warning and
    the reason of an ad hoc one go with it (the start's reaction writes them on the row)."""
    customer = db.session.get(Customer, inspection.customer_id)
    assert customer is not None  # customers are never deleted
    officer = db.session.get(User, customer.officer_id) if customer.officer_id else None
    facility = facility_facts(traced_facility(inspection))
    earliest = earliest_visit_on(inspection, facility)
    inputs = schedule.inputs_of(customer, first=False)
    return {
        "inspection_id": inspection.id,
        "customer_id": customer.id,
        "customer_name": customer.name,
        "uscc": customer.uscc,
        "officer": officer.username if officer is not None and officer.active else None,
        "kind": inspection.kind,
        "due_on": inspection.due_on.isoformat(),
        "earliest_visit_on": earliest.isoformat() if earliest else None,
        "facility_reference": facility.reference,
        "purpose": facility.purpose,
        "warning_id": warning.id if warning is not None else None,
        "warning_name": warning.name if warning is not None else None,
        "reason": reason,
        "grade": inputs["grade"],
        "loan_class": inputs["loan_class"],
        "product": inputs["product"],
        "amount": inputs["amount"],
    }
