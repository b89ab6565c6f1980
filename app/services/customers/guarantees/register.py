"""The guarantee register (担保登记): a guarantee recorded on a borrower, and released when it ends.

A guarantor is a customer of its own (a firm registered with its unified social credit code), picked by that
code in a form or by its id in the API; it never guarantees itself. The guarantee may name one of the
borrower's facilities. The amount is in CNY, positive, with at most two decimals and within what the column
holds: NaN, infinities and exponents are refused as any number is (``app.inputs.numbers``).

Who writes: the borrower's own officer (客户经理), or a relationship manager who manages the borrower
(``relationship_rights``: the branch's approver for its branch, a risk manager for every branch). Who reads:
whoever may read the customer. Each write is one unit of work with its audit row (``guarantee.recorded``,
``guarantee.released``) on the borrower's trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.inputs.numbers import number_problem, written_decimal
from app.models import Customer, Facility, Guarantee, User
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.audit import audit
from app.services.customers.contacts import fields
from app.services.customers.guarantees import circles_kept
from app.services.customers.master import customers
from app.services.customers.relationship.relationship_rights import manages_customer
from app.services.shared import rows
from app.services.shared.unit_of_work import unit_of_work

KINDS = {
    "guarantee": _l("Guarantee"),
    "mortgage": _l("Mortgage"),
    "pledge": _l("Pledge"),
}
LARGEST_AMOUNT = Decimal("9999999999999999.99")  # Numeric(18, 2)


def may_write(user: User, customer: Customer) -> bool:
    """``user`` may record and release the guarantees of ``customer`` (the borrower)."""
    return (user.role == "officer" and customer.officer_id == user.id) or manages_customer(user, customer)


def writable_customer(user: User, customer_id: int) -> Customer:
    """The borrower, when ``user`` may change its guarantees; refused otherwise."""
    customer = customers.get_customer(user, customer_id)
    if not may_write(user, customer):
        raise NotAuthorized(
            _(
                "Only the customer's officer or a manager of its relationship may record or release its guarantees."
            )
        )
    return customer


@dataclass(frozen=True)
class GuaranteeForm:
    """What the form to record a guarantee offers: the borrower and its live facilities."""

    customer: Customer
    facilities: list[Facility]


def form(user: User, customer_id: int) -> GuaranteeForm:
    """The form's choices, for a user who may record the borrower's guarantees."""
    customer = writable_customer(user, customer_id)
    live = db.session.scalars(
        select(Facility)
        .where(Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES))
        .order_by(Facility.id.desc())
    )
    return GuaranteeForm(customer, list(live))


def amount(data: Mapping[str, Any], name: str, errors: fields.Errors) -> Decimal | None:
    """A positive amount in CNY (``1,000,000.50`` or a JSON number), at most two decimals."""
    raw = data.get(name)
    if raw is None or raw == "":
        errors[name] = _("required")
        return None
    value = written_decimal(raw)
    problem = number_problem(value) if value is not None else None
    if value is None:
        errors[name] = _("an amount in CNY")
    elif problem:
        errors[name] = problem
    elif value <= 0:
        errors[name] = _("more than zero")
    elif value > LARGEST_AMOUNT:
        errors[name] = _("at most %(limit)s", limit=f"{LARGEST_AMOUNT:,}")
    elif value != value.quantize(Decimal("0.01")):
        errors[name] = _("at most two decimals")
    else:
        return value.quantize(Decimal("0.01"))
    return None


def _guarantor(data: Mapping[str, Any], errors: fields.Errors) -> Customer | None:
    """The guarantor named by ``guarantor_id`` (the API) or ``guarantor_uscc`` (a form's credit code)."""
    if data.get("guarantor_id") not in (None, ""):
        guarantor_id = fields.whole_number(data, "guarantor_id", errors)
        found = db.session.get(Customer, guarantor_id) if guarantor_id else None
        if found is None and "guarantor_id" not in errors:
            errors["guarantor_id"] = _("no customer has this id")
        return found
    code = fields.text(data, "guarantor_uscc", errors, limit=18, required=True)
    if code is None:
        return None
    found = db.session.scalar(select(Customer).where(Customer.uscc == code.upper()))
    if found is None:
        errors["guarantor_uscc"] = _(
            "no customer has this credit code: register the guarantor as a customer first"
        )
    return found


def check(customer: Customer, data: Mapping[str, Any]) -> dict[str, Any]:
    """The guarantee's typed values for ``customer`` (the borrower), or ``InvalidInput`` naming every bad field."""
    errors: fields.Errors = {}
    guarantor = _guarantor(data, errors)
    if guarantor is not None and guarantor.id == customer.id:
        errors["guarantor_uscc" if "guarantor_id" not in data else "guarantor_id"] = _(
            "a customer does not guarantee itself"
        )
    values: dict[str, Any] = {
        "guarantor_id": guarantor.id if guarantor is not None else None,
        "kind": fields.choice(data, "kind", errors, KINDS, required=True),
        "amount": amount(data, "amount", errors),
        "signed_on": fields.day(data, "signed_on", errors, required=True),
        "ends_on": fields.day(data, "ends_on", errors),
        "facility_id": fields.whole_number(data, "facility_id", errors),
    }
    if values["signed_on"] and values["ends_on"] and values["ends_on"] < values["signed_on"]:
        errors["ends_on"] = _("on or after the day it was signed")
    if values["facility_id"] is not None:
        facility = db.session.get(Facility, values["facility_id"])
        if (
            facility is None
            or facility.customer_id != customer.id
            or facility.status not in LIVE_FACILITY_STATUSES
        ):
            errors["facility_id"] = _("one of the borrower's live facilities")
    if errors:
        raise InvalidInput(_("The guarantee was not saved."), errors)
    return values


def _audited(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def record(user: User, customer_id: int, data: Mapping[str, Any]) -> Guarantee:
    """Record a guarantee given for ``customer_id`` (the borrower)."""
    customer = writable_customer(user, customer_id)
    values = check(customer, data)
    with unit_of_work():
        guarantee = Guarantee(customer_id=customer_id, status="active", created_by_id=user.id, **values)
        db.session.add(guarantee)
        db.session.flush()
        audit.record(
            "guarantee.recorded",
            user,
            customer_id=customer_id,
            guarantee_id=guarantee.id,
            after=_audited(values),
        )
        circles_kept.guarantee_added(guarantee.guarantor_id, customer_id, user)
    return guarantee


def get(user: User, guarantee_id: int) -> Guarantee:
    """One guarantee, when ``user`` may read its borrower (404 for none)."""
    guarantee = db.session.get(Guarantee, guarantee_id)
    if guarantee is None:
        raise NotFound(_("There is no guarantee %(id)s.", id=guarantee_id))
    customers.get_customer(user, guarantee.customer_id)
    return guarantee


def release(user: User, guarantee_id: int) -> Guarantee:
    """Release a guarantee (解除担保): kept, marked released; it no longer counts in the network."""
    guarantee = get(user, guarantee_id)
    writable_customer(user, guarantee.customer_id)
    if guarantee.status != "active":
        raise Conflict(_("This guarantee was already released."))
    with unit_of_work():
        # compare-and-set: of two people releasing it at once, one releases it, the other is told
        released = db.session.execute(
            update(Guarantee)
            .where(Guarantee.id == guarantee.id, Guarantee.status == "active")
            .values(status="released", released_by_id=user.id, released_at=utcnow())
        )
        if rows.rowcount(released) != 1:
            raise Conflict(_("This guarantee was already released."))
        audit.record(
            "guarantee.released",
            user,
            customer_id=guarantee.customer_id,
            guarantee_id=guarantee.id,
            guarantor_id=guarantee.guarantor_id,
            amount=str(guarantee.amount),
        )
        circles_kept.guarantee_removed(guarantee.guarantor_id, guarantee.customer_id, user)
    db.session.refresh(guarantee)  # the row as released, for the caller
    return guarantee
