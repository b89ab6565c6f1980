"""Follow-ups of the contact log: a to-do of the customer's officer from the day it falls due.

``due_for`` is what the officer's "My tasks" page lists; ``done`` closes one (who and when are kept);
``notify_due`` (beat, ``CREDIT_FOLLOW_UP_CHECK_SECONDS``) tells the officer once that one fell due: the entry
is claimed with a conditional update, so two runs, or two workers, never tell twice, and a run missed
(downtime) is caught up by the next.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.errors import NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import ContactLogEntry, Customer, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.customers.contacts.contact_rights import writable_customer
from app.services.notifications import notifications
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work

_OPEN = (ContactLogEntry.follow_up_on.is_not(None), ContactLogEntry.follow_up_done_at.is_(None))


def due_for(user: User, limit: int = 100) -> list[ContactLogEntry]:
    """The open follow-ups due today or earlier of the customers ``user`` is the officer of, oldest first."""
    return list(
        db.session.scalars(
            select(ContactLogEntry)
            .join(Customer, Customer.id == ContactLogEntry.customer_id)
            .where(*_OPEN, ContactLogEntry.follow_up_on <= local_today(), Customer.officer_id == user.id)
            .order_by(ContactLogEntry.follow_up_on, ContactLogEntry.id)
            .limit(limit)
        )
    )


def done(user: User, entry_id: int) -> ContactLogEntry:
    """Mark the follow-up of ``entry_id`` done (the customer's officer or a risk manager); done already:
    left as it was."""
    entry = db.session.get(ContactLogEntry, entry_id)
    if entry is None or entry.follow_up_on is None:
        raise NotFound(_("There is no follow-up %(id)s.", id=entry_id))
    writable_customer(user, entry.customer_id)
    if entry.follow_up_done_at is not None:
        return entry
    with unit_of_work():
        entry.follow_up_done_at, entry.follow_up_done_by_id = utcnow(), user.id
        audit.record(
            "customer.follow_up_done",
            user,
            customer_id=entry.customer_id,
            entry_id=entry.id,
            follow_up_on=entry.follow_up_on,
        )
    return entry


def notify_due() -> int:
    """Tell each officer, once, about the follow-ups that fell due; returns how many were told."""
    due = db.session.execute(
        select(ContactLogEntry.id, Customer.officer_id)
        .join(Customer, Customer.id == ContactLogEntry.customer_id)
        .where(
            *_OPEN,
            ContactLogEntry.follow_up_on <= local_today(),
            ContactLogEntry.follow_up_notified_at.is_(None),
            Customer.officer_id.is_not(None),
        )
        .order_by(ContactLogEntry.id)
    ).all()
    told = 0
    for entry_id, officer_id in due:
        with unit_of_work():
            claimed = db.session.execute(
                update(ContactLogEntry)
                .where(ContactLogEntry.id == entry_id, ContactLogEntry.follow_up_notified_at.is_(None))
                .values(follow_up_notified_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if rowcount(claimed) == 1:
                notifications.follow_up_due(
                    db.session.get(User, officer_id), db.session.get(ContactLogEntry, entry_id)
                )
                told += 1
    return told
