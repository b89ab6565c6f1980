"""A person's notifications in the app: the list, the unread count, marking one or all read."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.models import Notification, User
from app.models.base import utcnow
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work


def unread_count(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def listing(user: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Notification], int]:
    """The user's notifications, newest first, and how many there are."""
    query = select(Notification).where(Notification.user_id == user.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read; someone else's is refused."""
    note = db.session.get(Notification, notification_id)
    if note is None:
        raise NotFound(_("No notification %(id)s.", id=notification_id))
    if note.user_id != user.id:
        raise NotAuthorized(_("This notification is someone else's."))
    if note.read_at is None:
        with unit_of_work():
            note.read_at = utcnow()
    return note


def mark_all_read(user: User) -> int:
    with unit_of_work():
        done = rowcount(
            db.session.execute(
                update(Notification)
                .where(Notification.user_id == user.id, Notification.read_at.is_(None))
                .values(read_at=utcnow())
                .execution_options(synchronize_session=False)
            )
        )
    return done
