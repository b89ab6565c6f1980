"""Handing an open task to a colleague: delegation by its holder, reassignment by a manager.

The colleague must be able to do the task themselves: in the task's group, with the authority
level an approval needs, and not someone who investigated the case (审贷分离). A committee vote is
its member's own: the member never hands it on, but the administrator may give it to another member
who may vote on the case and holds no vote of this round (its member left, or lost their qualification).
Every hand-over is audited with who, from whom, to whom.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.errors import Conflict, InsufficientAuthority, NotAuthorized, NotFound, SegregationOfDutiesViolation
from app.extensions import db
from app.models import HumanTask, User
from app.models.base import utcnow
from app.services.approval import eligibility, qualifications, staffing
from app.services.approval.eligibility import investigated
from app.services.approval.lanes import APPROVAL_LANES, APPROVER_LANE
from app.services.audit import audit
from app.services.cases.tasks import check_may_act, get_task
from app.services.notifications import notifications
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work

MANAGERS = {"admin"}  # who may reassign any open task


def _refusal(task: HumanTask, colleague: User) -> Exception | None:
    """Why ``colleague`` could not do ``task`` (None: they could)."""
    if not colleague.active:
        return NotAuthorized(_("%(user)s is not an active user.", user=colleague.display_name))
    if task.lane and task.lane not in colleague.group_codes:
        return NotAuthorized(
            _("%(user)s is not in the %(lane)s group.", user=colleague.display_name, lane=_(task.lane))
        )
    if task.lane == APPROVER_LANE:
        if colleague.authority_level is None:
            return InsufficientAuthority(
                _(
                    "%(user)s has no approval authority; this approval needs level %(need)s.",
                    user=colleague.display_name,
                    need=task.required_level,
                )
            )
        if colleague.authority_level < (task.required_level or 99):
            return InsufficientAuthority(
                _(
                    "%(user)s has authority level %(have)s; this approval needs %(need)s.",
                    user=colleague.display_name,
                    have=colleague.authority_level,
                    need=task.required_level,
                )
            )
    if task.lane in APPROVAL_LANES and investigated(colleague, task.instance):
        return SegregationOfDutiesViolation(
            _("Segregation of duties: %(user)s investigated this case.", user=colleague.display_name)
        )
    if task.lane in APPROVAL_LANES and qualifications.refusal(colleague):
        return InsufficientAuthority(
            _("%(user)s holds no valid approval qualification.", user=colleague.display_name)
        )
    if _is_personal(task) and colleague.id in _voting(task):
        return Conflict(_("%(user)s already holds a vote of this round.", user=colleague.display_name))
    return None


def colleagues_for(user: User, task: HumanTask) -> list[User]:
    """Who ``user`` could hand ``task`` to: every other active user who could do it."""
    if task.state != "ready" or task.lane is None or _is_personal(task):
        return []
    return [
        c
        for c in eligibility.able_users(task.lane, task.instance, task.required_level)
        if c.id not in (user.id, task.assignee_id)
    ]


def reassign_targets(manager: User, task: HumanTask) -> list[User]:
    """Who a manager could move ``task`` to: everyone who could do it, but for a vote only the members who
    hold none of this round."""
    if manager.role not in MANAGERS or task.state != "ready" or task.lane is None:
        return []
    others = _voting(task) if _is_personal(task) else set()
    return [
        c
        for c in eligibility.able_users(task.lane, task.instance, task.required_level)
        if c.id != task.assignee_id and c.id not in others
    ]


def _is_personal(task: HumanTask) -> bool:
    """A task the diagram assigned to one person (a committee member's vote)."""
    return task.lane == "committee"


def _voting(task: HumanTask) -> set[int]:
    """Who holds or cast a vote of the round ``task`` belongs to (the votes one step opened together)."""
    rows = db.session.execute(
        select(HumanTask.assignee_id, HumanTask.completed_by_id).where(
            HumanTask.instance_id == task.instance_id,
            HumanTask.task_spec == task.task_spec,
            HumanTask.created_at == task.created_at,
            HumanTask.state != "cancelled",
        )
    )
    return {user_id for row in rows for user_id in row if user_id is not None}


def _target(task: HumanTask, username: str) -> User:
    colleague = db.session.scalar(select(User).where(User.username == username))
    if colleague is None:
        raise NotFound(_("No user %(name)s.", name=username))
    refusal = _refusal(task, colleague)
    if refusal is not None:
        raise refusal
    return colleague


def _move(task: HumanTask, actor: User, colleague: User, event: str, *, only_from: list, **noted) -> None:
    """Give ``task`` to ``colleague`` if it is still open and held as ``only_from`` says; audited (inside the
    caller's unit of work)."""
    previous = task.assignee.username if task.assignee else None
    moved = db.session.execute(
        update(HumanTask)
        .where(
            HumanTask.id == task.id,
            HumanTask.state == "ready",
            or_(
                *[
                    HumanTask.assignee_id.is_(None) if a is None else HumanTask.assignee_id == a
                    for a in only_from
                ]
            ),
        )
        .values(assignee_id=colleague.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rowcount(moved) != 1:
        raise Conflict(_("This task changed meanwhile; reload to see it."))
    audit.record(
        event,
        actor,
        instance_id=task.instance_id,
        customer_id=task.instance.customer_id,
        task_id=task.id,
        task_uuid=task.task_uuid,
        task=task.task_spec,
        **{"from": previous},
        to=colleague.username,
        **noted,
    )


def _hand_over(task: HumanTask, actor: User, colleague: User, event: str, *, only_from: list) -> HumanTask:
    with unit_of_work():
        _move(task, actor, colleague, event, only_from=only_from)
        notifications.delegated(task, actor, colleague)
    db.session.refresh(task)
    return task


def move_with_customer(manager: User, held: list[HumanTask], colleague: User, reason: str) -> None:
    """A customer moved to ``colleague`` (客户移交): the open tasks its former officer ``held`` go along, each
    checked as a reassignment is (``colleague`` may do it) and moved only if that officer still holds it,
    audited as ``task.reassigned`` naming the transfer's reason. Inside the transfer's unit of work: a task
    that cannot move (or moved meanwhile) refuses the whole transfer. The transfer's own notice tells the
    colleague, one for all its tasks."""
    for task in held:
        refusal = _refusal(task, colleague)
        if refusal is not None:
            raise refusal
        _move(task, manager, colleague, "task.reassigned", only_from=[task.assignee_id], transfer=reason)


def delegate(user: User, task_id: int, to_username: str) -> HumanTask:
    """``user``, who may do the task, hands it to a colleague who may do it too."""
    task = get_task(task_id)
    check_may_act(user, task)
    if _is_personal(task):
        raise NotAuthorized(_("A committee vote is its member's own and cannot be delegated."))
    colleague = _target(task, to_username)
    if colleague.id == user.id:
        raise Conflict(_("The task is already yours."))
    return _hand_over(task, user, colleague, "task.delegated", only_from=[None, user.id])


def reassign(manager: User, task_id: int, to_username: str) -> HumanTask:
    """A manager moves an open task, whoever holds it, to someone who may do it (a vote: to a member who may
    vote on the case and holds none of this round)."""
    if manager.role not in MANAGERS:
        raise NotAuthorized(_("Only a manager may reassign a task."))
    task = get_task(task_id)
    if task.state != "ready":
        check_may_act(manager, task)  # names who completed it
    colleague = _target(task, to_username)
    moved = _hand_over(task, manager, colleague, "task.reassigned", only_from=[task.assignee_id])
    staffing.recheck(manager)  # the task may have waited for someone who may do it
    return moved
