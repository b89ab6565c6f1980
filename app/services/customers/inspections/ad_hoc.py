"""An inspection started by hand (临时贷后检查): from an open warning (its escalation's page; the inspection is
linked to the warning) or from the customer's page with a reason, by the customer's officer or a risk manager
(``rights``). It is due on the day asked (by default a week on, at most ``MAX_DAYS``), and takes the place of
the customer's planned inspection if one waits to open: the visit answers both. One already under way is named
in the refusal (409): never two at once for a customer (the database refuses a second, whoever starts it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, select

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, EarlyWarning, Facility, HumanTask, Inspection, ProcessInstance, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.models.customers.inspection import OPEN_STATUSES
from app.services.cases import cases
from app.services.customers.contacts import fields
from app.services.customers.inspections import facts, planning, rights
from app.services.customers.master import customers

DEFAULT_DAYS = 7  # an ad hoc visit is due a week on unless the person asks for another day
MAX_DAYS = 60


def open_warnings(customer_id: int) -> list[EarlyWarning]:
    """The customer's open warnings, worst first (those an ad hoc inspection may answer)."""
    rank = {"high": 0, "medium": 1, "low": 2}
    found = db.session.scalars(
        select(EarlyWarning).where(EarlyWarning.customer_id == customer_id, EarlyWarning.status == "open")
    ).all()
    return sorted(found, key=lambda w: (rank.get(w.severity, 3), -w.id))


def under_way(customer_id: int) -> Inspection | None:
    """The customer's inspection opened and not yet signed off, if any."""
    return db.session.scalar(
        select(Inspection).where(
            Inspection.customer_id == customer_id,
            Inspection.status.in_(OPEN_STATUSES),
            Inspection.status != "planned",
        )
    )


def start(user: User, customer_id: int, data: Mapping[str, Any]) -> ProcessInstance:
    """Start an ad hoc inspection of the customer: ``warning_id`` (one of its open warnings) or ``reason``
    (required without a warning), ``due_on`` (optional). Refused, nothing stored: a role or an officer who may
    not (403), a bad field (422, named), a customer with no live facility or with an inspection under way
    (409, naming it)."""
    customer = customers.get_customer(user, customer_id)
    rights.check_start(user, customer)
    errors: fields.Errors = {}
    warning = _warning(data, customer_id, errors)
    reason = fields.text(data, "reason", errors, limit=500, required=warning is None, multi_line=True)
    today = local_today()
    due = fields.day(data, "due_on", errors) or (
        None if "due_on" in errors else today + timedelta(DEFAULT_DAYS)
    )
    if due is not None and not today <= due <= today + timedelta(days=MAX_DAYS):
        errors["due_on"] = _(
            "from today to %(last)s (at most %(days)s days on)",
            last=(today + timedelta(days=MAX_DAYS)).isoformat(),
            days=MAX_DAYS,
        )
    if errors:
        raise InvalidInput(_("The inspection cannot be started: check the fields named."), errors)
    assert due is not None
    _check_startable(customer_id)
    planned = db.session.scalar(
        select(Inspection).where(Inspection.customer_id == customer_id, Inspection.status == "planned")
    )
    asked = Inspection(
        id=planned.id if planned is not None else None,
        customer_id=customer_id,
        kind="ad_hoc",
        due_on=due,
        facility_id=planned.facility_id if planned is not None else None,
    )
    payload = facts.payload_of(asked, warning=warning, reason=reason)
    return cases.start_by_message(planning.PROCESS, planning.MESSAGE, payload, user)


def start_from_warning(user: User, warning_id: int, data: Mapping[str, Any]) -> ProcessInstance:
    """Start an ad hoc inspection answering warning ``warning_id`` (of its customer)."""
    warning = db.session.get(EarlyWarning, warning_id)
    if warning is None:
        raise NotFound(_("No warning %(id)s.", id=warning_id))
    return start(user, warning.customer_id, {**data, "warning_id": warning_id})


def _warning(data: Mapping[str, Any], customer_id: int, errors: fields.Errors) -> EarlyWarning | None:
    warning_id = fields.whole_number(data, "warning_id", errors)
    if warning_id is None:
        return None
    warning = db.session.get(EarlyWarning, warning_id)
    if warning is None or warning.customer_id != customer_id:
        errors["warning_id"] = _("not a warning of this customer")
        return None
    if warning.status != "open":
        errors["warning_id"] = _("this warning is closed")
        return None
    return warning


def _check_startable(customer_id: int) -> None:
    live = db.session.scalar(
        select(
            exists().where(Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES))
        )
    )
    if not live:
        raise Conflict(_("The customer has no live facility: there is nothing to inspect."))
    current = under_way(customer_id)
    if current is not None:
        reference = current.instance.reference if current.instance is not None else "—"
        raise Conflict(
            _(
                "An inspection of this customer is already under way (%(reference)s, due on %(date)s): record "
                "the visit there.",
                reference=reference,
                date=current.due_on.isoformat(),
            )
        )


@dataclass(frozen=True)
class StartForm:
    """What the form to start one offers: the customer, its open warnings and the due date by default."""

    customer: Customer
    warnings: list[EarlyWarning]
    default_due: date
    last_due: date


def start_form(user: User, customer_id: int) -> StartForm:
    """The form, for a user who may start an inspection of the customer."""
    customer = customers.get_customer(user, customer_id)
    rights.check_start(user, customer)
    today = local_today()
    return StartForm(
        customer,
        open_warnings(customer_id),
        today + timedelta(days=DEFAULT_DAYS),
        today + timedelta(days=MAX_DAYS),
    )


def task_for(user: User, case: ProcessInstance) -> HumanTask | None:
    """The case's open task ``user`` holds (the officer who started it lands on the record), if any."""
    return db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == case.id, HumanTask.state == "ready", HumanTask.assignee_id == user.id
        )
    )


def of_case(case_id: int) -> Inspection | None:
    """The inspection a case records."""
    return db.session.scalar(select(Inspection).where(Inspection.instance_id == case_id))
