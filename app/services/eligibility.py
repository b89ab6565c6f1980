"""Who could work a task, asked of the database in one query: its group, 审贷分离, the approval
qualification and the authority level an approval needs.

``tasks.check_may_act`` gives one person the precise refusal; this module answers "who could",
for the colleagues a task may be handed to and the people told that a task is waiting.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select

from app.extensions import db
from app.models import HumanTask, ProcessInstance, User, UserGroup
from app.services import qualifications
from app.services.projections import APPROVAL_LANES, APPROVER_LANE

# The committee's veto holders: the group rules/committee_rules.dmn names (veto_group), the one the vote
# form reserves the veto for ("x-option-groups" of forms/committee_vote.json).
VETO_GROUP = "cro"
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


def powers_of(user: User) -> Powers:
    groups = user.group_codes
    level = user.authority_level if APPROVER_LANE in groups and user.authority_level else None
    return Powers(level, COMMITTEE_LANE in groups, COMMITTEE_LANE in groups and VETO_GROUP in groups)


_WORKED_ON = select(exists().where(HumanTask.instance_id == bindparam("instance_id"),
                                   HumanTask.completed_by_id == bindparam("user_id"),
                                   HumanTask.lane.not_in(APPROVAL_LANES)))


def investigated(user: User, instance: ProcessInstance) -> bool:
    """Did ``user`` open the case or work any non-approval step of it?"""
    if instance.started_by_id == user.id:
        return True
    return bool(db.session.scalar(_WORKED_ON, {"instance_id": instance.id, "user_id": user.id}))


def able_users(lane: str, instance: ProcessInstance, required_level: int | None = None) -> list[User]:
    """Every active user who could work a task of ``lane`` on ``instance`` now, by display name."""
    query = (select(User).join(UserGroup, UserGroup.user_id == User.id)
             .where(UserGroup.group_code == lane, User.active.is_(True)).order_by(User.display_name, User.id))
    if lane in APPROVAL_LANES:
        worked = exists().where(HumanTask.instance_id == instance.id, HumanTask.completed_by_id == User.id,
                                HumanTask.lane.not_in(APPROVAL_LANES))
        query = query.where(User.id != (instance.started_by_id or 0), ~worked,
                            User.id.in_(qualifications.qualified_user_query()))
    if lane == APPROVER_LANE:
        query = query.where(User.authority_level >= (required_level if required_level is not None else 99))
    return list(db.session.scalars(query))
