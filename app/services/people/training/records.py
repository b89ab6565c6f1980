"""A person's training record (their required courses and where they stand, their history, their readings)
and, for managers, the completion per branch and the people behind it.

Completion counts the (person, required course) pairs of the active staff in reach: a pair is complete while
its pass is valid (expiring still counts: it has not lapsed). The figure is computed from one query of the
passes, the requirements read once per (role, level).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import Course, ReadingAssignment, TrainingCompletion, User
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.people.training import readings, required
from app.services.people.training.rights import check_reads, manager_branch


@dataclass(frozen=True)
class Record:
    person: User
    standing: list[required.Standing]
    history: list[TrainingCompletion]
    readings: list[ReadingAssignment]

    @property
    def open_readings(self) -> int:
        return sum(1 for r in self.readings if r.acknowledged_at is None)


def _record(person: User, today: date) -> Record:
    history = db.session.scalars(
        select(TrainingCompletion)
        .options(selectinload(TrainingCompletion.course))
        .where(TrainingCompletion.user_id == person.id)
        .order_by(TrainingCompletion.completed_on.desc(), TrainingCompletion.id.desc())
    )
    return Record(person, required.standing(person, today), list(history), readings.of_user(person.id))


def my_record(user: User, today: date | None = None) -> Record:
    """Everyone's own record."""
    return _record(user, today or local_today())


def person_record(manager: User, user_id: int, today: date | None = None) -> Record:
    """A person's record, for their managers (a branch's approvers their branch; risk, compliance, admin all)."""
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound(_("No such user."))
    check_reads(manager, person)
    return _record(person, today or local_today())


@dataclass(frozen=True)
class PersonRow:
    person: User
    required: int
    valid: int
    expiring: int
    lapsed: int  # lapsed or never passed


def branches(manager: User) -> list[str]:
    """The branches ``manager`` may narrow the figures to (their own only, for a branch's approver)."""
    own = manager_branch(manager)
    if own is not None:
        return [own]
    return list(
        db.session.scalars(select(User.branch).where(User.active.is_(True)).distinct().order_by(User.branch))
    )


def people_in_reach(manager: User, as_of: date | None = None, branch: str | None = None) -> list[PersonRow]:
    """Each active member of staff in ``manager``'s reach (narrowed to ``branch`` when asked) with the count of
    their required courses by state on ``as_of`` (today by default), from the passes completed by then."""
    return _staff_of(manager_branch(manager) or branch, as_of)


def _staff_of(branch: str | None, as_of: date | None) -> list[PersonRow]:
    """``people_in_reach`` of one branch (None: the whole bank), its reader already checked."""
    today = as_of or local_today()
    query = select(User).where(User.active.is_(True)).order_by(User.branch, User.username)
    if branch is not None:
        query = query.where(User.branch == branch)
    staff = list(db.session.scalars(query))
    courses = {c.code: c.id for c in db.session.scalars(select(Course))}
    passes = required.latest_passes([u.id for u in staff], today if as_of else None)
    asked: dict[tuple[str, int | None], list[required.Requirement]] = {}
    rows = []
    for person in staff:
        key = (person.role, person.authority_level)
        if key not in asked:
            asked[key] = required.requirements(*key)
        states = []
        for req in asked[key]:
            course_id = courses.get(req.code)
            until, passed = passes.get((person.id, course_id), (None, False)) if course_id else (None, False)
            states.append(required.state_of(until, passed, today))
        rows.append(
            PersonRow(
                person,
                len(states),
                states.count("valid"),
                states.count("expiring"),
                states.count("lapsed") + states.count("missing"),
            )
        )
    return rows


def by_branch(manager: User, as_of: date | None = None, branch: str | None = None) -> Figure:
    """Training completion per branch (培训完成率) on ``as_of``: required pairs, complete (valid or expiring),
    expiring within the reminder window, lapsed or missing, and the share complete."""
    return completion_of(manager_branch(manager) or branch, as_of)


def completion_of(branch: str | None, as_of: date | None = None) -> Figure:
    """``by_branch`` over one branch (None: every branch), for a page that checked its reader itself (the KPI
    dashboard: a branch's approver reads their branch, management the whole bank)."""
    day = as_of or local_today()
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"staff": 0, "required": 0, "done": 0, "soon": 0})
    for row in _staff_of(branch, as_of):
        t = totals[row.person.branch]
        t["staff"] += 1
        t["required"] += row.required
        t["done"] += row.valid + row.expiring
        t["soon"] += row.expiring
    rows = [
        {
            "branch": _(branch),  # the branch's name in the reader's language, not its code
            "staff": t["staff"],
            "required": t["required"],
            "complete": t["done"],
            "expiring": t["soon"],
            "lapsed": t["required"] - t["done"],
            "rate": share(t["done"], t["required"]),
        }
        for branch, t in sorted(totals.items())
    ]
    whole = {
        k: sum(int(r[k] or 0) for r in rows) for k in ("staff", "required", "complete", "expiring", "lapsed")
    }
    return Figure(
        key="completion",
        title=_("Training completion per branch"),
        columns=(
            Column("branch", _("Branch")),
            Column("staff", _("Staff"), "count"),
            Column("required", _("Required courses"), "count"),
            Column("complete", _("Valid"), "count"),
            Column("expiring", _("Expiring within 30 days"), "count"),
            Column("lapsed", _("Lapsed or missing"), "count"),
            Column("rate", _("Completion rate"), "pct"),
        ),
        rows=rows,
        chart=Chart("stacked", "branch", ("complete", "lapsed")),
        note=_(
            "Each person's courses required by their role (rules/required_training.dmn), as of %(date)s.",
            date=day.isoformat(),
        ),
        total={"branch": _("Total"), **whole, "rate": share(whole["complete"], whole["required"])},
    )
