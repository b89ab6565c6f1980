"""Who may act on a human task now: the precise refusal, or nothing.

Authorization lives here, not in templates: a user acts on a task only if its lane is
one of their groups (or it is assigned to them), never on a case they investigated when
the task is an approval (审贷分离), and only with the authority level the approval
authority table asked for (分级审批).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import Conflict, InsufficientAuthority, NotAuthorized, NotFound, SegregationOfDutiesViolation
from app.extensions import db
from app.localtime import local_time
from app.models import HumanTask, User
from app.services.approval import qualifications
from app.services.approval.eligibility import COMMITTEE_LANE, investigated
from app.services.approval.lanes import APPROVAL_LANES, APPROVER_LANE
from app.services.audit import audit
from app.services.cases import withdrawal
from app.services.shared.unit_of_work import unit_of_work


def get_task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("No task %(id)s.", id=task_id))
    return task


def _opened_again(task: HumanTask) -> HumanTask | None:
    """The same step open again in the case after ``task`` was closed without being done."""
    return db.session.scalar(
        select(HumanTask)
        .where(
            HumanTask.instance_id == task.instance_id,
            HumanTask.task_spec == task.task_spec,
            HumanTask.state == "ready",
            HumanTask.id > task.id,
        )
        .order_by(HumanTask.id)
        .limit(1)
    )


def check_may_act(user: User, task: HumanTask, *, record_refusal: bool = True) -> None:
    """Raise the precise refusal if ``user`` may not work ``task`` now. A refusal for 审贷分离 is a
    four-eyes near miss: recorded in the audit log (unless the caller is only asking, e.g. a listing)."""
    if task.instance.status == withdrawal.WITHDRAWN:
        raise withdrawal.withdrawn_conflict(task.instance)
    when = local_time(task.completed_at, "%Y-%m-%d %H:%M:%S") if task.completed_at else ""
    if task.state == "cancelled":
        again = _opened_again(task)
        if (
            again is not None
        ):  # e.g. an investigation a joining warning started over: ``task_id`` is the new one
            raise Conflict(
                _(
                    "This task was closed at %(time)s and opened again with what the case learnt since: "
                    "this is the task now.",
                    time=when,
                ),
                task_id=again.id,
            )
        raise Conflict(
            _(
                "This task was closed at %(time)s without being done: the case went on without it. "
                "Open the case to see where it is.",
                time=when,
            )
        )
    if task.state != "ready":
        who = task.completed_by.display_name if task.completed_by else _("the system")
        raise Conflict(_("This task was completed by %(user)s at %(time)s.", user=who, time=when))
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise NotAuthorized(_("This task is claimed by %(user)s.", user=task.assignee.display_name))
    if task.lane == COMMITTEE_LANE and task.assignee_id is None:
        raise NotAuthorized(_("A committee vote is cast only by the member it was given to."))
    if task.lane and task.lane not in user.group_codes:  # even a claimant who has left the group
        raise NotAuthorized(
            _(
                "This task belongs to the %(lane)s group, which you are not in.",
                lane=_(task.lane) if task.lane else "-",
            )
        )
    if task.lane in APPROVAL_LANES and investigated(user, task.instance):
        if record_refusal:  # a unit of its own: the refusal is recorded even though nothing else is
            with unit_of_work(own=True):
                audit.record(
                    "task.refused",
                    user,
                    instance_id=task.instance_id,
                    customer_id=task.instance.customer_id,
                    task_id=task.id,
                    task=task.task_spec,
                    reason="segregation_of_duties",
                )
        raise SegregationOfDutiesViolation(
            _("Segregation of duties: you investigated this case, so you may not approve it.")
        )
    if task.lane in APPROVAL_LANES:
        unqualified = qualifications.refusal(user)
        if unqualified:
            raise InsufficientAuthority(unqualified)
    if task.lane == APPROVER_LANE:
        if task.required_level is None:
            raise InsufficientAuthority(
                _("No approval authority level was decided for this task, so nobody may sign it off.")
            )
        if user.authority_level is None:
            raise InsufficientAuthority(
                _(
                    "This approval needs authority level %(need)s; you have no approval authority.",
                    need=task.required_level,
                )
            )
        if user.authority_level < task.required_level:
            raise InsufficientAuthority(
                _(
                    "This approval needs authority level %(need)s; yours is %(have)s.",
                    need=task.required_level,
                    have=user.authority_level,
                )
            )
