"""The collateral register (押品登记): an item recorded for a borrower, the facilities it secures and their shares,
its insurance, and its release.

An item belongs to the borrower whose credit it secures; its owner (抵押人/出质人) is the borrower or a third party,
named. Its appraised value is in CNY, positive, with at most two decimals (``app.inputs.numbers`` refuses NaN,
infinities, exponents); its haircut is the policy table's for its kind (``policy``), kept with the rule that gave
it, and its next revaluation is counted from its valuation date by the revaluation table. It secures live
facilities of the borrower only, each for a share of its value after the haircut, the shares summing to at most
100%.

Who writes: the borrower's own officer (客户经理), or a manager of its relationship (``relationship_rights``: the
branch's approver for its branch, a risk manager for every branch). Who reads: whoever may read the customer. Each
write is one unit of work with its audit row on the borrower's trail (``collateral.recorded``,
``collateral.links_changed``, ``collateral.insurance_changed``, ``collateral.released``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import Attachment, Collateral, CollateralLink, CollateralValuation, Customer, Facility, User
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.audit import audit
from app.services.customers.collateral import policy
from app.services.customers.collateral.fields import KINDS, amount, links_of
from app.services.customers.contacts import fields
from app.services.customers.master import customers
from app.services.customers.relationship.relationship_rights import manages_customer
from app.services.shared import rows
from app.services.shared.unit_of_work import unit_of_work


def may_write(user: User, customer: Customer) -> bool:
    """``user`` may record, link, insure and release the collateral of ``customer`` (the borrower)."""
    return (user.role == "officer" and customer.officer_id == user.id) or manages_customer(user, customer)


def may_release(user: User, customer: Customer) -> bool:
    """Only a manager of the relationship releases collateral (解押): the officer asks them. An officer alone could
    otherwise release an item and record it again at a value nobody confirmed (the revaluation's four eyes)."""
    return manages_customer(user, customer)


def writable_customer(user: User, customer_id: int) -> Customer:
    """The borrower, when ``user`` may change its collateral; refused otherwise."""
    customer = customers.get_customer(user, customer_id)
    if not may_write(user, customer):
        raise NotAuthorized(
            _(
                "Only the customer's officer or a manager of its relationship may record or change its collateral."
            )
        )
    return customer


def live_facilities(customer_id: int) -> list[Facility]:
    """The borrower's live facilities (active or frozen), the newest first: what an item may secure."""
    return list(
        db.session.scalars(
            select(Facility)
            .where(Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES))
            .order_by(Facility.id.desc())
        )
    )


def appraisal_reports(customer_id: int) -> list[Attachment]:
    """The customer's own appraisal reports (评估报告, not deleted), the newest first: what a first valuation names."""
    return list(
        db.session.scalars(
            select(Attachment)
            .where(
                Attachment.customer_id == customer_id,
                Attachment.instance_id.is_(None),
                Attachment.kind == "appraisal",
                Attachment.deleted_at.is_(None),
            )
            .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
        )
    )


@dataclass(frozen=True)
class CollateralForm:
    """What the form to record an item offers: the borrower, its live facilities and its appraisal reports."""

    customer: Customer
    facilities: list[Facility]
    reports: list[Attachment]


def form(user: User, customer_id: int) -> CollateralForm:
    """The form's choices, for a user who may record the borrower's collateral."""
    customer = writable_customer(user, customer_id)
    return CollateralForm(customer, live_facilities(customer_id), appraisal_reports(customer_id))


def _insurance(data: Mapping[str, Any], errors: fields.Errors, today: date) -> dict[str, Any]:
    values = {
        "insured_amount": amount(data, "insured_amount", errors, required=False),
        "insurer": fields.text(data, "insurer", errors, limit=200),
        "insurance_expires_on": fields.day(data, "insurance_expires_on", errors),
    }
    if values["insured_amount"] is not None or values["insurer"] or values["insurance_expires_on"]:
        for name in ("insured_amount", "insurer", "insurance_expires_on"):
            if values[name] is None and name not in errors:
                errors[name] = _("required with an insurance")
    return values


def check(
    customer: Customer, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[tuple[int, Decimal]], int | None]:
    """The item's typed values, its links (facility id, share in percent) and the report it names, or
    ``InvalidInput`` naming every bad field."""
    errors: fields.Errors = {}
    today = local_today()
    values: dict[str, Any] = {
        "owner_name": fields.text(data, "owner_name", errors, limit=200, required=True),
        "kind": fields.choice(data, "kind", errors, KINDS, required=True),
        "description": fields.text(data, "description", errors, limit=500, required=True),
        "certificate_no": fields.text(data, "certificate_no", errors, limit=100),
        "appraised_value": amount(data, "appraised_value", errors),
        "appraised_on": fields.day(data, "appraised_on", errors, required=True),
        "appraiser": fields.text(data, "appraiser", errors, limit=200, required=True),
        **_insurance(data, errors, today),
    }
    if values["appraised_on"] is not None and values["appraised_on"] > today:
        errors["appraised_on"] = _("not in the future")
    links = links_of(data, errors, {f.id for f in live_facilities(customer.id)})
    report_id = fields.whole_number(data, "report_document_id", errors)
    if report_id is not None and report_id not in {a.id for a in appraisal_reports(customer.id)}:
        errors["report_document_id"] = _("one of the customer's appraisal reports")
    if errors:
        raise InvalidInput(_("The collateral was not saved."), errors)
    return values, links, report_id


def _audited(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def _links_audited(links: list[tuple[int, Decimal]]) -> list[dict[str, Any]]:
    return [{"facility_id": facility_id, "share": str(share)} for facility_id, share in links]


def _refuse_a_second_record(values: Mapping[str, Any]) -> None:
    """One active item per title certificate (权证号) of a kind: the same property recorded twice would secure the
    same facilities twice."""
    number = values.get("certificate_no")
    if not number:
        return
    same = select(Collateral.id).where(
        Collateral.status == "active", Collateral.kind == values["kind"], Collateral.certificate_no == number
    )
    found = db.session.scalar(same.limit(1))
    if found is not None:
        raise InvalidInput(
            _("The collateral was not saved."),
            {"certificate_no": _("already recorded as collateral %(id)s, still active", id=found)},
        )


def record(user: User, customer_id: int, data: Mapping[str, Any]) -> Collateral:
    """Record an item securing ``customer_id``'s credit, with its first valuation and the facilities it secures."""
    customer = writable_customer(user, customer_id)
    values, links, report_id = check(customer, data)
    _refuse_a_second_record(values)
    haircut, rule = policy.haircut_of(values["kind"])
    next_on = policy.next_revaluation(values["kind"], values["appraised_on"])
    with unit_of_work():
        item = Collateral(
            customer_id=customer_id,
            status="active",
            haircut=haircut,
            haircut_rule=rule,
            next_revaluation_on=next_on,
            changed_on=local_today(),
            created_by_id=user.id,
            **values,
        )
        db.session.add(item)
        db.session.flush()
        db.session.add_all(CollateralLink(collateral_id=item.id, facility_id=f, share=s) for f, s in links)
        db.session.add(
            CollateralValuation(
                collateral_id=item.id,
                value=values["appraised_value"],
                valued_on=values["appraised_on"],
                appraiser=values["appraiser"],
                haircut=haircut,
                haircut_rule=rule,
                report_id=report_id,
                recorded_by_id=user.id,
            )
        )
        audit.record(
            "collateral.recorded",
            user,
            customer_id=customer_id,
            collateral_id=item.id,
            after={
                **_audited(values),
                "haircut": str(haircut),
                "haircut_rule": rule,
                "next_revaluation_on": next_on,
                "report_document_id": report_id,
            },
            links=_links_audited(links),
        )
    return item


def get(user: User, item_id: int) -> Collateral:
    """One item, when ``user`` may read its borrower (404 for none)."""
    item = db.session.get(Collateral, item_id)
    if item is None:
        raise NotFound(_("There is no collateral %(id)s.", id=item_id))
    customers.get_customer(user, item.customer_id)
    return item


def _writable_active(user: User, item_id: int) -> Collateral:
    item = get(user, item_id)
    writable_customer(user, item.customer_id)
    if item.status != "active":
        raise Conflict(_("This collateral was released; it no longer changes."))
    return item


def set_links(user: User, item_id: int, data: Mapping[str, Any]) -> Collateral:
    """Replace the facilities an item secures and their shares (summing to at most 100%)."""
    item = _writable_active(user, item_id)
    errors: fields.Errors = {}
    links = links_of(data, errors, {f.id for f in live_facilities(item.customer_id)})
    if errors:
        raise InvalidInput(_("The facilities secured were not saved."), errors)
    before = [{"facility_id": link.facility_id, "share": str(link.share)} for link in item.links]
    with unit_of_work():
        # one edit of an item's shares at a time (PostgreSQL): the second reads the first's links, never both kept
        locked = select(Collateral.status).where(Collateral.id == item.id).with_for_update()
        if db.session.scalar(locked) != "active":
            raise Conflict(_("This collateral was released; it no longer changes."))
        db.session.execute(delete(CollateralLink).where(CollateralLink.collateral_id == item.id))
        db.session.add_all(CollateralLink(collateral_id=item.id, facility_id=f, share=s) for f, s in links)
        item.changed_on = local_today()
        audit.record(
            "collateral.links_changed",
            user,
            customer_id=item.customer_id,
            collateral_id=item.id,
            before=before,
            after=_links_audited(links),
        )
    db.session.expire(item, ["links"])
    return item


def set_insurance(user: User, item_id: int, data: Mapping[str, Any]) -> Collateral:
    """Record the item's insurance as renewed or changed (all three fields, or none: not insured)."""
    item = _writable_active(user, item_id)
    errors: fields.Errors = {}
    values = _insurance(data, errors, local_today())
    if errors:
        raise InvalidInput(_("The insurance was not saved."), errors)
    before = {name: getattr(item, name) for name in values}
    with unit_of_work():
        for name, value in values.items():
            setattr(item, name, value)
        audit.record(
            "collateral.insurance_changed",
            user,
            customer_id=item.customer_id,
            collateral_id=item.id,
            before=_audited(before),
            after=_audited(values),
        )
    return item


def release(user: User, item_id: int) -> Collateral:
    """Release an item (解除抵质押): kept, marked released; it no longer secures any facility. By a manager of the
    customer's relationship only."""
    item = get(user, item_id)
    if not may_release(user, item.customer):  # before its state: a refused role learns nothing of it
        raise NotAuthorized(
            _(
                "Only a manager of the customer's relationship releases collateral; the officer asks its approver."
            )
        )
    item = _writable_active(user, item_id)
    with unit_of_work():
        # compare-and-set: of two people releasing it at once, one releases it, the other is told
        released = db.session.execute(
            update(Collateral)
            .where(Collateral.id == item.id, Collateral.status == "active")
            .values(status="released", released_by_id=user.id, released_at=utcnow(), changed_on=local_today())
        )
        if rows.rowcount(released) != 1:
            raise Conflict(_("This collateral was already released."))
        audit.record(
            "collateral.released",
            user,
            customer_id=item.customer_id,
            collateral_id=item.id,
            appraised_value=str(item.appraised_value),
            links=[{"facility_id": link.facility_id, "share": str(link.share)} for link in item.links],
        )
    db.session.refresh(item)  # the row as released, for the caller
    return item
