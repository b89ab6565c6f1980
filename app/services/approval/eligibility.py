"""Who could work a task, asked of the database: its group, 审贷分离, the approval qualification and the
authority level an approval needs — written once (``could_work``) as a condition on ``User`` over values or
columns: the statements below bind one task's values (built once, so each step only runs them), and
``staffing`` correlates it on every open task at once.

``tasks.check_may_act`` gives one person the precise refusal; this module answers "who could", for the
colleagues a task may be handed to, the people told that a task is waiting, the committee members who may
vote on a case (``directory.voters_of``) and the tasks nobody could do (and why: ``explain``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, Integer, String, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.localtime import local_today
from app.models import APPROVAL_COURSE, HumanTask, ProcessInstance, TrainingCompletion, User, UserGroup
from app.services.approval.lanes import APPROVAL_LANES, APPROVER_LANE
from app.services.shared.nullsafe import differs, outside

COMMITTEE_LANE = "committee"


@dataclass(frozen=True)
class Powers:
    """What a user may decide: sign-offs up to an authority level, votes in the credit committee (贷审会),
    the committee's veto. A committee member needs no authority level to vote."""

    level: int | None  # None: signs nothing off
    votes: bool
    vetoes: bool

    @property
    def signs(self) -> bool:
        return self.level is not None


def powers_of(user: User, veto_groups: Collection[str]) -> Powers:
    """``user``'s powers; the veto is a committee member's of one of ``veto_groups`` (the groups the committee
    rules give it: ``membership.veto_groups``)."""
    groups = user.group_codes
    level = user.authority_level if APPROVER_LANE in groups and user.authority_level else None
    return Powers(
        level, COMMITTEE_LANE in groups, COMMITTEE_LANE in groups and bool(groups & set(veto_groups))
    )


# An approval whose level was never decided: nobody's authority reaches it.
UNREACHABLE_LEVEL = 99


def worked_on(user_id: Any, instance_id: Any):
    """The user completed a non-approval step of the case (one done in no lane counts too): the SQL
    condition of 审贷分离, correlated on whatever ``user_id`` and ``instance_id`` are."""
    worked = aliased(HumanTask)
    return exists().where(
        worked.instance_id == instance_id,
        worked.completed_by_id == user_id,
        outside(worked.lane, APPROVAL_LANES),
    )


def could_work(
    lane: Any,
    instance_id: Any,
    started_by_id: Any,
    required_level: Any,
    today: Any,
    always_deciding: bool = False,
):
    """The condition on ``User`` (joined to ``UserGroup``) for working a task of ``lane`` on the case: an
    active member of the lane who, when the work decides the credit (an approval lane, or ``always_deciding``),
    never opened or worked the case and holds a qualification valid on ``today``, and who for the approver
    lane has the ``required_level``."""
    clear = and_(
        differs(User.id, started_by_id),
        ~worked_on(User.id, instance_id),
        User.id.in_(TrainingCompletion.holders_of(APPROVAL_COURSE, today)),
    )
    return and_(
        UserGroup.user_id == User.id,
        UserGroup.group_code == lane,
        User.active.is_(True),
        clear if always_deciding else or_(outside(lane, APPROVAL_LANES), clear),
        or_(
            differs(lane, APPROVER_LANE),
            User.authority_level >= func.coalesce(required_level, UNREACHABLE_LEVEL),
        ),
    )


def _bound(always_deciding: bool):
    return could_work(
        bindparam("lane", type_=String),
        bindparam("instance_id", type_=Integer),
        bindparam("started_by_id", type_=Integer),
        bindparam("required_level", type_=Integer),
        bindparam("today", type_=Date),
        always_deciding,
    )


_ONLY = bindparam("only", type_=Integer)
# Built once per kind (by the lane, or deciding whatever the lane): SQLAlchemy reuses the compiled form.
_ABLE = {
    deciding: select(User)
    .join(UserGroup, UserGroup.user_id == User.id)
    .where(_bound(deciding))
    .order_by(User.display_name, User.id)
    for deciding in (False, True)
}
_ANYONE = {
    deciding: select(exists().where(_bound(deciding), or_(_ONLY.is_(None), User.id == _ONLY)))
    for deciding in (False, True)
}


def _values(
    lane: str | None,
    instance: ProcessInstance,
    required_level: int | None,
    today: date | None = None,
    **more: Any,
) -> dict[str, Any]:
    return {
        "lane": lane,
        "instance_id": instance.id,
        "started_by_id": instance.started_by_id,
        "required_level": required_level,
        "today": today or local_today(),
        **more,
    }


def investigated(user: User, instance: ProcessInstance) -> bool:
    """Did ``user`` open the case or work any non-approval step of it?"""
    if instance.started_by_id == user.id:
        return True
    return bool(db.session.scalar(select(worked_on(user.id, instance.id))))


def able_users(
    lane: str | None, instance: ProcessInstance, required_level: int | None = None, *, deciding: bool = False
) -> list[User]:
    """Every active user who could work a task of ``lane`` on ``instance`` now, by display name. ``deciding``
    applies 审贷分离 and the qualification whatever the lane (who may vote on a case)."""
    return list(db.session.scalars(_ABLE[deciding], _values(lane, instance, required_level)))


def anyone_could(
    lane: str | None,
    instance: ProcessInstance,
    required_level: int | None = None,
    *,
    only: int | None = None,
    deciding: bool = False,
) -> bool:
    """Could anyone (``only``: that user) work a task of ``lane`` on ``instance`` now?"""
    return bool(db.session.scalar(_ANYONE[deciding], _values(lane, instance, required_level, only=only)))


@dataclass(frozen=True)
class Shortfall:
    """Why nobody of a deciding lane may act on a case now: the active members of the lane (of the level, for
    a sign-off) and, by name, those of them who opened or worked the case (审贷分离) or hold no valid approval
    qualification."""

    members: int
    took_part: list[str]
    unqualified: list[str]


def shortfall(lane: str, instance: ProcessInstance, required_level: int | None = None) -> Shortfall:
    """Who of ``lane`` could decide ``instance`` but for 审贷分离 or a qualification (the case page's why)."""
    today = local_today()
    pool = (
        select(User)
        .join(UserGroup, UserGroup.user_id == User.id)
        .where(UserGroup.group_code == lane, User.active.is_(True))
    )
    if lane == APPROVER_LANE:
        pool = pool.where(User.authority_level >= func.coalesce(required_level, UNREACHABLE_LEVEL))
    members = list(db.session.scalars(pool.order_by(User.display_name, User.id)))
    qualified = (
        set(
            db.session.scalars(
                TrainingCompletion.holders_of(APPROVAL_COURSE, today).where(
                    TrainingCompletion.user_id.in_([u.id for u in members])
                )
            )
        )
        if members
        else set()
    )
    return Shortfall(
        len(members),
        [u.display_name for u in members if investigated(u, instance)],
        [u.display_name for u in members if u.id not in qualified],
    )


def _why(lane: str | None, short: Shortfall) -> str:
    if not short.members:
        return (
            _("the committee group has no active member")
            if lane == COMMITTEE_LANE
            else _("no active approver has that level")
        )
    parts = []
    if short.took_part:
        parts.append(
            _("%(names)s opened or worked this case, so may not decide it", names=", ".join(short.took_part))
        )
    if short.unqualified:
        parts.append(_("%(names)s hold no valid approval qualification", names=", ".join(short.unqualified)))
    return _("; ").join(parts)


def explain(
    reason: str,
    lane: str | None,
    level: int | None = None,
    assignee: str | None = None,
    short: Shortfall | None = None,
) -> str:
    """Why nobody may act (``reason``: "nobody" in the lane, or the "assignee" may not) and what the
    administrator does about it, in the current language; with ``short`` (the case's ``shortfall``), the
    specific cause: nobody in the lane, or who is in it and why each may not decide this case."""
    if reason != "assignee" and short is not None and lane == COMMITTEE_LANE:
        return _(
            "No active member of the credit committee may vote on this case (%(why)s): the administrator "
            "must add a member to the committee group or record a qualification. The case goes on by itself "
            "then.",
            why=_why(lane, short),
        )
    if reason != "assignee" and short is not None and lane == APPROVER_LANE:
        return _(
            "No approver with authority level %(level)s or above may sign this off (%(why)s): the "
            "administrator must record a qualification or give an approver that level. It then reaches "
            "their sign-off inbox.",
            level=level if level is not None else "-",
            why=_why(lane, short),
        )
    if reason == "assignee" and lane == COMMITTEE_LANE:
        return _(
            "%(user)s may no longer vote on this case (inactive, out of the committee, without a valid "
            "qualification, or took part in this case): on the case page the administrator reassigns the vote "
            "to a member who may vote, or excuses it so the committee decides with those who may.",
            user=assignee or "-",
        )
    if reason == "assignee":
        return _(
            "%(user)s may no longer do this (inactive, out of the group, without a valid qualification, "
            "or took part in this case): the administrator reassigns it on the case page.",
            user=assignee or "-",
        )
    if lane == "committee":
        return _(
            "No qualified committee member may vote on this case (active, with a valid approval "
            "qualification and no part in the case): the administrator must add a member to the "
            "committee group or record a qualification. The case goes on by itself then."
        )
    if lane == APPROVER_LANE:
        return _(
            "No qualified approver of authority level %(level)s or above may sign this off (active, with a "
            "valid approval qualification and no part in the case): the administrator must record "
            "a qualification or give an approver that level. It then reaches their sign-off inbox.",
            level=level if level is not None else "-",
        )
    return _(
        "Nobody active is in the %(lane)s group: the administrator must add someone to it. The task then "
        "reaches their queue.",
        lane=_(lane) if lane else "-",
    )
