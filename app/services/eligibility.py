"""Who could work a task, asked of the database in one query: its group, 审贷分离, the approval
qualification and the authority level an approval needs.

``tasks.check_may_act`` gives one person the precise refusal; this module answers "who could",
for the colleagues a task may be handed to and the people told that a task is waiting.
"""

from __future__ import annotations

from sqlalchemy import bindparam, exists, select

from app.extensions import db
from app.models import HumanTask, ProcessInstance, User, UserGroup
from app.services import qualifications
from app.services.nullsafe import differs, outside
from app.services.projections import APPROVAL_LANES, APPROVER_LANE

_WORKED_ON = select(exists().where(HumanTask.instance_id == bindparam("instance_id"),
                                   HumanTask.completed_by_id == bindparam("user_id"),
                                   outside(HumanTask.lane, APPROVAL_LANES)))


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
                                outside(HumanTask.lane, APPROVAL_LANES))
        query = query.where(differs(User.id, instance.started_by_id), ~worked,
                            User.id.in_(qualifications.qualified_user_query()))
    if lane == APPROVER_LANE:
        query = query.where(User.authority_level >= (required_level if required_level is not None else 99))
    return list(db.session.scalars(query))
