"""The contact log (联系记录): each call, e-mail, visit or meeting with a customer, and the follow-up it asks for.

An entry names when (not in the future), how (``CHANNELS``), whom (a current contact of the customer, whose
name is kept as it was then, or free text), what was said (several lines), and optionally when to follow up
(not before the contact). Who logged it is the user. A follow-up falls due as a to-do of the customer's
officer (``follow_ups``). The log is searched per customer (summary and whom) and, by risk managers, across
the bank by customer name or credit code and text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app.errors import InvalidInput
from app.extensions import db
from app.localtime import local_today
from app.models import ContactLogEntry, Customer, CustomerContact, User
from app.services.audit import audit
from app.services.cases import text_search
from app.services.customers.contacts import fields
from app.services.customers.contacts.contact_rights import check_manager, readable_customer, writable_customer
from app.services.shared.unit_of_work import unit_of_work

CHANNELS = {"phone": _l("Phone"), "email": _l("E-mail"), "visit": _l("Visit"), "meeting": _l("Meeting")}
MAX_SUMMARY = 4000


def check(customer_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    """The entry's typed values, or ``InvalidInput`` naming every bad field."""
    errors: fields.Errors = {}
    values: dict[str, Any] = {
        "contacted_on": fields.day(data, "contacted_on", errors, required=True),
        "channel": fields.choice(data, "channel", errors, CHANNELS, required=True),
        "summary": fields.text(data, "summary", errors, limit=MAX_SUMMARY, required=True, multi_line=True),
        "follow_up_on": fields.day(data, "follow_up_on", errors),
        "contact_id": fields.whole_number(data, "contact_id", errors),
    }
    named = fields.text(data, "contact_name", errors, limit=100)
    if values["contact_id"] is not None:
        contact = db.session.get(CustomerContact, values["contact_id"])
        if contact is None or contact.customer_id != customer_id or contact.removed_at is not None:
            errors["contact_id"] = _("not a contact of this customer")
        else:
            named = contact.name
    elif not named and "contact_name" not in errors:
        errors["contact_name"] = _("whom you spoke to: a contact, or a name")
    values["contact_name"] = named
    day, follow_up = values["contacted_on"], values["follow_up_on"]
    if day and day > local_today():
        errors["contacted_on"] = _("not in the future")
    if day and follow_up and follow_up < day:
        errors["follow_up_on"] = _("not before the contact (%(date)s)", date=day.isoformat())
    if errors:
        raise InvalidInput(_("The contact was not logged."), errors)
    return values


def add(user: User, customer_id: int, data: Mapping[str, Any]) -> ContactLogEntry:
    """Log one contact with the customer, as ``user``."""
    writable_customer(user, customer_id)
    values = check(customer_id, data)
    with unit_of_work():
        entry = ContactLogEntry(customer_id=customer_id, logged_by_id=user.id, **values)
        db.session.add(entry)
        db.session.flush()
        audit.record(
            "customer.contact_logged",
            user,
            customer_id=customer_id,
            entry_id=entry.id,
            after={k: v for k, v in values.items() if k != "summary"},
            summary=values["summary"][:200],
        )
    return entry


def _matching(query: Select, term: str | None) -> Select:
    if not term:
        return query
    pattern = text_search.like_pattern(term)
    return query.where(
        or_(
            ContactLogEntry.summary.ilike(pattern, escape="\\"),
            ContactLogEntry.contact_name.ilike(pattern, escape="\\"),
        )
    )


def of_customer(
    user: User, customer_id: int, search: str | None = None, *, field: str = "log_q", limit: int = 200
) -> list[ContactLogEntry]:
    """The customer's log, newest contact first; ``search`` (the query-string ``field``) keeps the entries whose
    summary or whom holds it."""
    readable_customer(user, customer_id)
    term = text_search.clean_term(search, field)
    query = (
        select(ContactLogEntry)
        .where(ContactLogEntry.customer_id == customer_id)
        .options(selectinload(ContactLogEntry.logged_by), selectinload(ContactLogEntry.follow_up_done_by))
    )
    return list(
        db.session.scalars(
            _matching(query, term)
            .order_by(ContactLogEntry.contacted_on.desc(), ContactLogEntry.id.desc())
            .limit(limit)
        )
    )


def search(
    user: User, customer: str | None, text: str | None, *, page: int = 1, per_page: int = 50
) -> tuple[list[ContactLogEntry], int]:
    """The bank's log (risk managers): entries of the customers whose name or credit code holds
    ``customer``, whose summary or whom holds ``text``; newest first, a page of them and how many in all."""
    check_manager(user)
    customer_term = text_search.clean_term(customer, "customer")
    text_term = text_search.clean_term(text, "q")
    query = _matching(
        select(ContactLogEntry).join(Customer, Customer.id == ContactLogEntry.customer_id), text_term
    )
    if customer_term:
        query = query.where(text_search.customer_filter(customer_term))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(ContactLogEntry.contacted_on.desc(), ContactLogEntry.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total
