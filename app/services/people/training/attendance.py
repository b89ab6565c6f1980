"""Training sessions (培训场次) and the results recorded at them (考勤与成绩), by administrators and risk managers.

A pass is valid for the renewal period the required-training table gives the person's role for that course,
else for the course's own validity (``valid_for``); a fail is kept on the record and makes nothing valid.
Entering a session's results again corrects the rows of that session (one row per person and session).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.inputs import numbers
from app.localtime import local_today
from app.models import APPROVAL_COURSE, Course, TrainingCompletion, TrainingSession, User
from app.services.audit import audit
from app.services.people.training import catalog, fields, required
from app.services.people.training.rights import check_keeper
from app.services.shared.unit_of_work import unit_of_work

MAX_SCORE = 100


def valid_for(user: User, course: Course, completed_on: date) -> date | None:
    """Until when a pass of ``course`` on ``completed_on`` is valid for ``user`` (None: for good)."""
    months = next((r.renewal_months for r in required.of(user) if r.code == course.code), None)
    months = months or course.validity_months
    return required.add_months(completed_on, months) if months else None


def create_session(keeper: User, data: Mapping[str, Any]) -> TrainingSession:
    """A session of an active course: when it is held, by whom, where."""
    check_keeper(keeper)
    errors: dict[str, str] = {}
    course = None
    course_id = numbers.row_id(data.get("course_id"))
    if course_id is not None:
        course = db.session.get(Course, course_id)
    if course is None or not course.active:
        errors["course_id"] = _("choose an offered course")
    held_on = fields.day(data, "held_on", errors)
    trainer = fields.text(data, "trainer", errors, limit=100)
    place = fields.text(data, "place", errors, limit=100)
    if errors:
        raise InvalidInput(_("The session was not saved."), errors)
    assert course is not None and held_on is not None
    with unit_of_work():
        session = TrainingSession(
            course_id=course.id, held_on=held_on, trainer=trainer, place=place, created_by_id=keeper.id
        )
        db.session.add(session)
        db.session.flush()
        audit.record("training.session_created", keeper, course=course.code, held_on=held_on.isoformat())
    return session


def get_session(session_id: int) -> TrainingSession:
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise NotFound(_("No such training session."))
    return session


@dataclass(frozen=True)
class SessionPage:
    session: TrainingSession
    staff: list[User]
    recorded: dict[int, TrainingCompletion]  # user id → their row of this session


def session_page(keeper: User, session_id: int) -> SessionPage:
    """The session, every active member of staff (for the attendance table) and the results already entered."""
    check_keeper(keeper)
    session = get_session(session_id)
    staff = list(
        db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.branch, User.username))
    )
    rows = db.session.scalars(select(TrainingCompletion).where(TrainingCompletion.session_id == session.id))
    return SessionPage(session, staff, {row.user_id: row for row in rows})


def active_staff() -> list[User]:
    return list(
        db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.branch, User.username))
    )


def sessions(limit: int = 50) -> list[TrainingSession]:
    return list(
        db.session.scalars(
            select(TrainingSession)
            .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())
            .limit(limit)
        )
    )


def record_results(keeper: User, session_id: int, data: Mapping[str, Any]) -> int:
    """Enter the session's results: ``result_<user id>`` pass | fail (blank: did not attend) and
    ``score_<user id>`` (0-100, optional). Every field is checked before anything is saved; returns how many
    rows were written."""
    page = session_page(keeper, session_id)
    session = page.session
    if session.held_on > local_today():
        raise InvalidInput(
            _("The results were not saved."), {"held_on": _("the session has not been held yet")}
        )
    errors: dict[str, str] = {}
    entered: list[tuple[User, str, Decimal | None]] = []
    approval = session.course.code == APPROVAL_COURSE
    for person in page.staff:
        result = str(data.get(f"result_{person.id}") or "").strip()
        if not result:
            continue
        fields.choice(data, f"result_{person.id}", errors, ("pass", "fail"))
        score = fields.number(data, f"score_{person.id}", errors, top=MAX_SCORE, required=False)
        kept = page.recorded.get(person.id)
        if kept is not None and (kept.result, kept.score) == (result, score):
            continue  # the form posts back what is recorded: left as it is (and as who recorded it)
        if person.id == keeper.id:  # no one passes themselves: a pass opens gates (审批资格, an intake's KYC)
            errors[f"result_{person.id}"] = _("your own result is recorded by another keeper")
        elif (
            approval and keeper.role != "admin"
        ):  # as ``qualifications.record``: who may approve is the admin's
            errors[f"result_{person.id}"] = _("only an administrator records the approval qualification")
        entered.append((person, result, score))
    if errors:
        raise InvalidInput(_("The results were not saved."), errors)
    if not entered:
        return 0  # nothing changed: no write, no audit event
    with unit_of_work():
        for person, result, score in entered:
            row = page.recorded.get(person.id) or TrainingCompletion(user_id=person.id, session_id=session.id)
            row.course_id = session.course_id
            row.completed_on = session.held_on
            row.result, row.score, row.recorded_by_id = result, score, keeper.id
            row.valid_until = valid_for(person, session.course, session.held_on) if result == "pass" else None
            db.session.add(row)
        audit.record(
            "training.results_recorded",
            keeper,
            course=session.course.code,
            held_on=session.held_on.isoformat(),
            people=[p.username for p, _r, _s in entered],
        )
    return len(entered)


def grant(
    recorded_by: User | None,
    user: User,
    code: str,
    completed_on: date,
    valid_until: date | None = None,
    *,
    session: TrainingSession | None = None,
    score: Decimal | None = None,
) -> TrainingCompletion:
    """Record a pass of course ``code`` (created from the catalogue's standard ones when missing) outside the
    forms: the demo, the set-up of a new install, tests. ``valid_until`` defaults to ``valid_for``."""
    with unit_of_work():
        course = catalog.ensure(code)
        row = TrainingCompletion(
            user_id=user.id,
            course_id=course.id,
            session_id=session.id if session else None,
            completed_on=completed_on,
            result="pass",
            score=score,
            valid_until=valid_until or valid_for(user, course, completed_on),
            recorded_by_id=recorded_by.id if recorded_by else None,
        )
        db.session.add(row)
        db.session.flush()
    return row


def grant_required(user: User, completed_on: date, valid_until: date | None = None) -> None:
    """A pass of every course the table asks of ``user`` (a new install's staff, the tests' people)."""
    for req in required.of(user):
        grant(None, user, req.code, completed_on, valid_until)
