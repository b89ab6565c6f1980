"""What each person must hold (``rules/required_training.dmn``: role and authority level → the courses and
their renewal period, every row that matches) and where they stand on each: valid, expiring (within
``EXPIRING_DAYS``), lapsed or never passed.

What lapses gates what the role may do. ``GATES`` names the course each act needs; a person whose role the
table asks for that course and who holds no valid pass of it is refused, the course named: an officer
without AML and know-your-customer training (反洗钱与客户身份识别) opens no credit application. The approval
qualification gates approvals the same way, read by ``approval.qualifications`` and the eligibility queries.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.engine.dmn import Decision, decision_in_force
from app.errors import NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import KYC_COURSE, Course, TrainingCompletion, User

REQUIRED_FILE, REQUIRED = "required_training.dmn", "required_training"
EXPIRING_DAYS = 30
STATES = ("valid", "expiring", "lapsed", "missing")
# The act (a process started, a task submitted) → the course it needs, for a role the table asks to hold it:
# an application opened, and its intake submitted (a renewal the system opens for the officer is theirs to submit).
GATES = {"credit_application": KYC_COURSE, "application_intake": KYC_COURSE}


def table() -> Decision:
    """The required-training table in force, parsed once per change of the file."""
    return decision_in_force(Path(current_app.config["RULES_DIR"]) / REQUIRED_FILE, REQUIRED)


@dataclass(frozen=True)
class Requirement:
    code: str
    renewal_months: int


def requirements(role: str, authority_level: int | None) -> list[Requirement]:
    """The courses the table asks of a role (and level), in the table's order, each once."""
    hits = table().evaluate({"role": role, "authority_level": authority_level}).output or []
    found: dict[str, Requirement] = {}
    for hit in hits if isinstance(hits, list) else [hits]:
        code = str(hit["course"])
        found.setdefault(code, Requirement(code, int(hit["renewal_months"])))
    return list(found.values())


def of(user: User) -> list[Requirement]:
    return requirements(user.role, user.authority_level)


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` on, to the month's last day when it has fewer (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def state_of(valid_until: date | None, passed: bool, today: date) -> str:
    if not passed:
        return "missing"
    if valid_until is None:
        return "valid"
    if valid_until < today:
        return "lapsed"
    return "expiring" if valid_until <= today + timedelta(days=EXPIRING_DAYS) else "valid"


@dataclass(frozen=True)
class Standing:
    code: str
    course: Course | None  # None: the table names a course the catalogue does not hold yet
    renewal_months: int
    valid_until: date | None
    passed: bool  # a pass is on record at all
    state: str

    def title(self) -> str:
        return self.course.title(str(get_locale())) if self.course else self.code


def latest_passes(
    user_ids: list[int], as_of: date | None = None
) -> dict[tuple[int, int], tuple[date | None, bool]]:
    """(user, course) → the furthest expiry of the user's passes (None: one that never lapses), one query;
    ``as_of``: only the passes completed by that day (the record as it stood then)."""
    if not user_ids:
        return {}
    never = func.max(func.coalesce(TrainingCompletion.valid_until, date(9999, 12, 31)))
    query = (
        select(TrainingCompletion.user_id, TrainingCompletion.course_id, never)
        .where(TrainingCompletion.user_id.in_(user_ids), TrainingCompletion.result == "pass")
        .group_by(TrainingCompletion.user_id, TrainingCompletion.course_id)
    )
    if as_of is not None:
        query = query.where(TrainingCompletion.completed_on <= as_of)
    rows = db.session.execute(query)
    found: dict[tuple[int, int], tuple[date | None, bool]] = {}
    for user_id, course_id, until in rows:
        until = date.fromisoformat(until) if isinstance(until, str) else until
        found[(user_id, course_id)] = (None if until == date(9999, 12, 31) else until, True)
    return found


def standing(user: User, today: date | None = None) -> list[Standing]:
    """Where ``user`` stands on each course the table asks of them."""
    today = today or local_today()
    needed = of(user)
    courses = {
        c.code: c for c in db.session.scalars(select(Course).where(Course.code.in_([r.code for r in needed])))
    }
    passes = latest_passes([user.id])
    out = []
    for req in needed:
        course = courses.get(req.code)
        until, passed = passes.get((user.id, course.id), (None, False)) if course else (None, False)
        out.append(
            Standing(req.code, course, req.renewal_months, until, passed, state_of(until, passed, today))
        )
    return out


def check_gate(user: User, act: str, today: date | None = None) -> None:
    """Refuse ``act`` (a process id or task of ``GATES``) to ``user`` when the table asks their role for the course it
    needs and they hold no valid pass of it, naming the course and when it lapsed."""
    code = GATES.get(act)
    if code is None:
        return
    for stand in standing(user, today):
        if stand.code != code or stand.state in ("valid", "expiring"):
            continue
        if stand.valid_until is not None:
            raise NotAuthorized(
                _(
                    "Your training %(course)s lapsed on %(date)s: you may not submit a credit application "
                    "until a renewed pass is recorded.",
                    course=stand.title(),
                    date=stand.valid_until.isoformat(),
                )
            )
        raise NotAuthorized(
            _(
                "You hold no valid pass of the training %(course)s: you may not submit a credit application "
                "until one is recorded.",
                course=stand.title(),
            )
        )
