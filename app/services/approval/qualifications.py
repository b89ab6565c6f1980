"""Approval qualifications (审批资格): an approver holds their authority only with a valid training
certificate. An expired one takes them out of the sign-off queue and refuses their approvals, saying why.

The qualification is one case of training (``app.services.people.training``): a pass completion of the course
``APPROVAL_COURSE`` (授信审批资格); the certificate the administrator records here is such a completion, and
one recorded at a training session counts the same.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import APPROVAL_COURSE, Course, TrainingCompletion, User, UserGroup
from app.services.admin import membership
from app.services.people.training import catalog

MAX_CERTIFICATE = 100
FIRST_YEAR, LAST_YEAR = 2000, 2100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def valid_until(user: User) -> date | None:
    """The latest expiry among the user's passes of the approval course (None: none recorded)."""
    return db.session.scalar(
        select(func.max(TrainingCompletion.valid_until))
        .join(Course, Course.id == TrainingCompletion.course_id)
        .where(
            TrainingCompletion.user_id == user.id,
            TrainingCompletion.result == "pass",
            Course.code == APPROVAL_COURSE,
        )
    )


def refusal(user: User, today: date | None = None) -> str | None:
    """Why ``user`` may not approve now (None: qualified)."""
    until = valid_until(user)
    today = today or local_today()
    if until is None:
        return _(
            "You hold no approval qualification on record; an administrator records your training "
            "certificate."
        )
    if until < today:
        return _(
            "Your approval qualification expired on %(date)s; an administrator records a renewed "
            "certificate.",
            date=until.isoformat(),
        )
    return None


def qualified_user_query(today: date | None = None):
    """A subquery of the ids of users holding a certificate valid today (for ``IN``)."""
    return TrainingCompletion.holders_of(APPROVAL_COURSE, today or local_today())


def record(admin: User | None, username: str, certificate: str, until: str | date) -> TrainingCompletion:
    """Record a certificate (administrators, or the system at set-up) as a pass of the approval course valid
    until ``until``; audited with the expiry before and after, through the one place a change of who may act
    is committed."""
    if admin is not None and admin.role != "admin":
        raise NotAuthorized(_("Only an administrator may record qualifications."))
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("No user %(name)s.", name=username))
    errors = {}
    certificate = (certificate or "").strip()
    if not certificate:
        errors["certificate"] = _("the certificate number is required")
    elif len(certificate) > MAX_CERTIFICATE or _CONTROL.search(certificate):
        errors["certificate"] = _(
            "at most %(count)s characters, without control characters", count=MAX_CERTIFICATE
        )
    try:
        until_date = until if isinstance(until, date) else date.fromisoformat(str(until).strip())
    except ValueError:
        errors["valid_until"] = _("a date as YYYY-MM-DD")
        until_date = None
    if until_date is not None and not FIRST_YEAR <= until_date.year <= LAST_YEAR:
        errors["valid_until"] = _("a year from %(first)s to %(last)s", first=FIRST_YEAR, last=LAST_YEAR)
    if errors:
        raise InvalidInput(_("The qualification was not recorded."), errors)
    assert until_date is not None  # refused above otherwise
    before = valid_until(user)
    row = TrainingCompletion(
        user_id=user.id,
        course_id=catalog.ensure(APPROVAL_COURSE).id,
        completed_on=min(local_today(), until_date),
        result="pass",
        certificate=certificate,
        valid_until=until_date,
        recorded_by_id=admin.id if admin else None,
    )
    db.session.add(row)
    membership.commit_change(
        admin,
        user,
        "qualification.recorded",
        was=membership.Standing.of(user),
        before={"valid_until": before},
        after={"valid_until": max(until_date, before or until_date)},
        certificate=certificate,
        valid_until=until_date,
    )
    return row


def listing() -> list[tuple[User, date | None]]:
    """Everyone who approves or sits on the committee, with their latest expiry (one query)."""
    latest = (
        select(TrainingCompletion.user_id, func.max(TrainingCompletion.valid_until).label("until"))
        .join(Course, Course.id == TrainingCompletion.course_id)
        .where(Course.code == APPROVAL_COURSE, TrainingCompletion.result == "pass")
        .group_by(TrainingCompletion.user_id)
        .subquery()
    )
    approvers = select(UserGroup.user_id).where(UserGroup.group_code.in_(("approver", "committee")))
    rows = db.session.execute(
        select(User, latest.c.until)
        .outerjoin(latest, latest.c.user_id == User.id)
        .where(User.id.in_(approvers))
        .order_by(User.username)
    )
    return [(user, until) for user, until in rows]
