"""Training reminders (培训到期提醒), run by beat (``notify_due``, every ``CREDIT_TRAINING_CHECK_SECONDS``): each
active person is told when a pass of a course their role requires comes within ``EXPIRING_DAYS`` of its expiry,
and again when it lapses. Idempotent: a pass (its expiry date) is told of once per phase, however often the
job runs or is redelivered; a renewed pass has a new expiry and is told of afresh when its turn comes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Notification, User
from app.services.notifications import notifications
from app.services.people.training import required
from app.services.shared.unit_of_work import unit_of_work

PHASES = {"expiring": "training_expiring", "lapsed": "training_lapsed"}


def _told() -> set[tuple[int, str, str, str]]:
    """(person, kind, course, date) of every training reminder already sent."""
    rows = db.session.execute(
        select(Notification.user_id, Notification.kind, Notification.params).where(
            Notification.kind.in_(tuple(PHASES.values()))
        )
    )
    return {(uid, kind, (p or {}).get("course", ""), (p or {}).get("date", "")) for uid, kind, p in rows}


def notify_due(today: date | None = None) -> int:
    """Tell everyone due a reminder; returns how many reminders were sent."""
    today = today or local_today()
    told = _told()
    sent = 0
    with unit_of_work():
        for person in db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)):
            for stand in required.standing(person, today):
                kind = PHASES.get(stand.state)
                if kind is None or stand.valid_until is None or stand.course is None:
                    continue
                key = (person.id, kind, stand.code, stand.valid_until.isoformat())
                if key in told:
                    continue
                notifications.training_due(
                    person,
                    kind,
                    course=stand.code,
                    title_zh=stand.course.title_zh,
                    title_en=stand.course.title_en,
                    date=stand.valid_until.isoformat(),
                )
                told.add(key)
                sent += 1
    return sent
