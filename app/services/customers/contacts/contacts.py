"""A customer's contact people (客户联系人): added, edited and removed by its officer or a risk manager.

A removed contact is kept (``removed_at``): the log entries and the audit trail that name it still read.
At most one contact is the primary one; marking another primary unmarks the first. The identity number is
checked by its type (a resident identity number by its check character, see ``identity``) and is written
into the audit log only masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.models import CustomerContact, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.customers.contacts import fields, identity
from app.services.customers.contacts.contact_rights import readable_customer, writable_customer
from app.services.shared.unit_of_work import unit_of_work

ROLES = {
    "legal_representative": _l("Legal representative"),
    "actual_controller": _l("Actual controller"),
    "financial_controller": _l("Financial controller"),
    "authorised_agent": _l("Authorised agent"),
    "other": _l("Other"),
}
ID_TYPES = {
    "resident_id": _l("Resident identity card"),
    "passport": _l("Passport"),
    "other": _l("Other document"),
}
EDITABLE = ("name", "role", "phone", "email", "id_type", "id_number", "is_primary")


def check(data: Mapping[str, Any]) -> dict[str, Any]:
    """The contact's typed values, or ``InvalidInput`` naming every bad field."""
    errors: fields.Errors = {}
    values: dict[str, Any] = {
        "name": fields.text(data, "name", errors, limit=100, required=True),
        "role": fields.choice(data, "role", errors, ROLES, required=True),
        "id_type": fields.choice(data, "id_type", errors, ID_TYPES),
        "is_primary": fields.flag(data, "is_primary", errors),
    }
    phone = fields.text(data, "phone", errors, limit=32)
    values["phone"] = identity.normal_phone(phone) if phone else None
    if phone and values["phone"] is None:
        errors["phone"] = _("a mainland mobile (13812345678) or landline (021-62345678) number")
    values["email"] = fields.text(data, "email", errors, limit=identity.MAX_EMAIL)
    if values["email"] and identity.email_problem(values["email"]):
        errors["email"] = identity.email_problem(values["email"]) or ""
    number = fields.text(data, "id_number", errors, limit=32)
    values["id_number"] = number.upper().replace(" ", "") if number else None
    if values["id_number"] and not values["id_type"] and "id_type" not in errors:
        errors["id_type"] = _("the kind of document the number is of")
    elif values["id_number"] and values["id_type"]:
        problem = identity.id_number_problem(values["id_type"], values["id_number"])
        if problem:
            errors["id_number"] = problem
    elif values["id_type"] and not values["id_number"] and "id_number" not in errors:
        values["id_type"] = None  # a type without a number says nothing
    if errors:
        raise InvalidInput(_("The contact was not saved."), errors)
    return values


def listing(user: User, customer_id: int) -> list[CustomerContact]:
    """The customer's current contacts, the primary first, then by name."""
    readable_customer(user, customer_id)
    return current(customer_id)


def current(customer_id: int) -> list[CustomerContact]:
    return list(
        db.session.scalars(
            select(CustomerContact)
            .where(CustomerContact.customer_id == customer_id, CustomerContact.removed_at.is_(None))
            .order_by(CustomerContact.is_primary.desc(), CustomerContact.name, CustomerContact.id)
        )
    )


def get(user: User, customer_id: int, contact_id: int) -> CustomerContact:
    """A current contact of the customer (404 for another customer's or a removed one)."""
    readable_customer(user, customer_id)
    return _current(customer_id, contact_id)


def _current(customer_id: int, contact_id: int) -> CustomerContact:
    contact = db.session.get(CustomerContact, contact_id)
    if contact is None or contact.customer_id != customer_id or contact.removed_at is not None:
        raise NotFound(_("The customer has no contact %(id)s.", id=contact_id))
    return contact


def _audited(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a contact: the identity number masked."""
    return {**values, "id_number": identity.masked(values.get("id_number"))}


def _only_primary(customer_id: int, contact_id: int) -> None:
    db.session.execute(
        update(CustomerContact)
        .where(
            CustomerContact.customer_id == customer_id,
            CustomerContact.id != contact_id,
            CustomerContact.is_primary.is_(True),
        )
        .values(is_primary=False)
    )  # the loaded rows follow (evaluated)


def add(user: User, customer_id: int, data: Mapping[str, Any]) -> CustomerContact:
    """Add a contact to the customer."""
    writable_customer(user, customer_id)
    values = check(data)
    with unit_of_work():
        contact = CustomerContact(customer_id=customer_id, created_by_id=user.id, **values)
        db.session.add(contact)
        db.session.flush()
        if contact.is_primary:
            _only_primary(customer_id, contact.id)
        audit.record(
            "customer.contact_added",
            user,
            customer_id=customer_id,
            contact_id=contact.id,
            after=_audited(values),
        )
    return contact


def edit(user: User, customer_id: int, contact_id: int, data: Mapping[str, Any]) -> CustomerContact:
    """Change a contact; the audit log keeps what changed, before and after."""
    writable_customer(user, customer_id)
    contact = _current(customer_id, contact_id)
    values = check(data)
    before = {name: getattr(contact, name) for name in EDITABLE}
    changed = {name: value for name, value in values.items() if before[name] != value}
    with unit_of_work():
        if changed:
            for name, value in changed.items():
                setattr(contact, name, value)
            if changed.get("is_primary"):
                _only_primary(customer_id, contact.id)
            audit.record(
                "customer.contact_changed",
                user,
                customer_id=customer_id,
                contact_id=contact.id,
                before=_audited({k: before[k] for k in changed}),
                after=_audited(changed),
            )
    return contact


def remove(user: User, customer_id: int, contact_id: int) -> CustomerContact:
    """Take a contact off the customer's list (kept, marked removed: the log still names it)."""
    writable_customer(user, customer_id)
    contact = _current(customer_id, contact_id)
    with unit_of_work():
        contact.removed_at, contact.removed_by_id, contact.is_primary = utcnow(), user.id, False
        audit.record(
            "customer.contact_removed",
            user,
            customer_id=customer_id,
            contact_id=contact.id,
            name=contact.name,
            role=contact.role,
        )
    return contact
