"""The new valuation a revaluation's form records, checked against the bank's records (the form's ``x-checks``:
``collateral_valuation``), and the appraisal reports it may name (the form's ``x-choices``: ``appraisal_reports``).

A valuation is dated neither in the future nor before the item's last valuation, nor so long ago that it would
already be due again; its report is an appraisal report (评估报告, not deleted) attached to the case or to its
customer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.errors import InvalidInput
from app.extensions import db
from app.localtime import local_date, local_today
from app.models import Attachment, ProcessInstance
from app.services.customers.facilities.facility_terms import add_months


def reports_for(instance: ProcessInstance) -> list[Attachment]:
    """The appraisal reports a valuation of ``instance`` may name: attached to the case, or to its customer
    (not to another of its cases), not deleted; the newest first."""
    own = Attachment.instance_id == instance.id
    if instance.customer_id is not None:
        own = or_(own, and_(Attachment.customer_id == instance.customer_id, Attachment.instance_id.is_(None)))
    return list(
        db.session.scalars(
            select(Attachment)
            .where(own, Attachment.kind == "appraisal", Attachment.deleted_at.is_(None))
            .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
        )
    )


def report_choices(instance: ProcessInstance) -> list[tuple[int, str]]:
    """The reports as a form offers them: (id, "title · file name · date")."""
    return [(a.id, f"{a.title} · {a.file_name} · {local_date(a.uploaded_at)}") for a in reports_for(instance)]


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


CENT = Decimal("0.01")


def check_valuation(
    instance: ProcessInstance, submitted: dict[str, Any], data: dict[str, Any], locale: str
) -> None:
    """Refuse, naming the field, a valuation dated in the future, before the last one or so old it would be due
    again at once, or naming a report that is not one of the case's or its customer's appraisal reports."""
    errors: dict[str, str] = {}
    today = local_today()
    valued_on, previous = _day(submitted.get("valued_on")), _day(data.get("previous_valued_on"))
    months = data.get("revaluation_months")
    if valued_on is not None:
        if valued_on > today:
            errors["valued_on"] = _("not in the future")
        elif previous is not None and valued_on < previous:
            errors["valued_on"] = _("not before the last valuation (%(date)s)", date=previous.isoformat())
        elif isinstance(months, int | float) and add_months(valued_on, int(months)) <= today:
            errors["valued_on"] = _(
                "older than the %(months)s months a valuation of this kind holds: it would be due again at once",
                months=int(months),
            )
    value = submitted.get("new_value")
    if isinstance(value, int | float) and Decimal(str(value)) != Decimal(str(value)).quantize(CENT):
        errors["new_value"] = _("in yuan and fen: at most two decimals")
    report = submitted.get("report_document_id")
    if report is not None and report not in {a.id for a in reports_for(instance)}:
        errors["report_document_id"] = _("an appraisal report attached to this case or to its customer")
    if errors:
        raise InvalidInput(_("The valuation was not saved."), errors)
