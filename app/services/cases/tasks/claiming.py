"""Claiming a human task and putting it back: of two people claiming at once, one is refused."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from app.errors import Conflict, NotAuthorized
from app.extensions import db
from app.models import HumanTask, User
from app.models.base import utcnow
from app.services.approval.eligibility import COMMITTEE_LANE
from app.services.audit import audit
from app.services.cases.tasks.access import check_may_act, get_task
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work


def claim(user: User, task_id: int) -> HumanTask:
    task = get_task(task_id)
    check_may_act(user, task)
    if task.assignee_id != user.id:
        # Claimed only if still open and free: of two people claiming at once, one is refused.
        with unit_of_work():
            taken = db.session.execute(
                update(HumanTask)
                .where(HumanTask.id == task.id, HumanTask.state == "ready", HumanTask.assignee_id.is_(None))
                .values(assignee_id=user.id, claimed_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            if rowcount(taken) == 1:
                audit.record(
                    "task.claimed",
                    user,
                    instance_id=task.instance_id,
                    customer_id=task.instance.customer_id,
                    task_id=task.id,
                    task_uuid=task.task_uuid,
                    task=task.task_spec,
                )
        db.session.refresh(task)
        if rowcount(taken) != 1:
            check_may_act(user, task)  # names who has it, or who completed it
            raise Conflict(_("This task was claimed by someone else meanwhile."))
    return task


def unclaim(user: User, task_id: int) -> HumanTask:
    task = get_task(task_id)
    if task.assignee_id != user.id:
        raise NotAuthorized(_("Only the person who claimed a task can put it back."))
    if task.lane == COMMITTEE_LANE:  # one vote per member: back in the pool, another member could cast it too
        raise NotAuthorized(
            _(
                "A committee vote is your own and cannot be put back; the administrator may "
                "reassign it to another member who may vote."
            )
        )
    if task.state != "ready":
        check_may_act(user, task)
    with unit_of_work():
        released = db.session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.assignee_id == user.id, HumanTask.state == "ready")
            .values(assignee_id=None, claimed_at=None)
            .execution_options(synchronize_session=False)
        )
        if rowcount(released) != 1:
            raise Conflict(_("This task changed meanwhile; reload to see it."))
        audit.record(
            "task.unclaimed",
            user,
            instance_id=task.instance_id,
            customer_id=task.instance.customer_id,
            task_id=task.id,
            task_uuid=task.task_uuid,
            task=task.task_spec,
        )
    db.session.refresh(task)
    return task
