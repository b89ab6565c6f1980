"""Excusing a committee vote its member may no longer cast (回避), so that a committee can always finish.

A member who may no longer vote on the case in the middle of a round (they left the committee or the bank, their
qualification lapsed, or a diagram that listed members without 审贷分离 gave a vote to someone who worked the case)
leaves a vote nobody may cast. The administrator hands it to a member who may vote and holds none of the round
(``delegation.reassign``); where there is no such member, the administrator excuses it here: the vote is closed as
``recused``, its seat is not counted (``risk.committee.tally_votes``), and the committee decides with the
members who may vote. With nobody left who may, the count finds no quorum and the committee convenes again, to
wait in the staffing state (``staffing``) until someone may vote.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app import engine
from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.models import HumanTask, User
from app.models.base import utcnow
from app.risk.committee import RECUSED
from app.services.approval import eligibility
from app.services.audit import audit
from app.services.cases.delegation import MANAGERS
from app.services.cases.steps import run_step
from app.services.cases.tasks import check_may_act, get_task
from app.services.customers.master.directory import for_case
from app.services.shared.rows import write


def _member_may_vote(task: HumanTask) -> bool:
    return task.assignee_id is not None and eligibility.anyone_could(
        task.lane, task.instance, only=task.assignee_id, deciding=True
    )


def may_excuse(manager: User, task: HumanTask) -> bool:
    """Could ``manager`` excuse ``task`` now (the case page offers it): an open committee vote whose member may
    no longer vote on the case."""
    return (
        manager.role in MANAGERS
        and task.state == "ready"
        and task.lane == eligibility.COMMITTEE_LANE
        and not _member_may_vote(task)
    )


def excuse(manager: User, task_id: int) -> HumanTask:
    """Close the vote of a member who may no longer vote on its case as ``recused`` and run the case on."""
    if manager.role not in MANAGERS:
        raise NotAuthorized(_("Only a manager may excuse a committee vote."))
    task = get_task(task_id)
    if task.lane != eligibility.COMMITTEE_LANE:
        raise InvalidInput(_("Only a committee vote can be excused."), {"task": _("not a committee vote")})
    if task.state != "ready":
        check_may_act(manager, task, record_refusal=False)  # names who completed it, or that it was closed
    member = task.assignee.display_name if task.assignee else "-"
    if _member_may_vote(task):
        raise Conflict(
            _(
                "%(user)s may vote on this case: the vote is theirs to cast, or the administrator "
                "reassigns it.",
                user=member,
            )
        )
    instance, task_uuid = task.instance, task.task_uuid
    submitted = {"decision": RECUSED}

    def recorded() -> None:
        write(task, state="completed", completed_at=utcnow(), completed_by_id=None, submitted=submitted)
        audit.record(
            "task.excused",
            manager,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            task_id=task.id,
            task_uuid=task_uuid,
            task=task.task_spec,
            member=task.assignee.username if task.assignee else None,
        )

    try:
        run_step(
            instance,
            manager,
            lambda b, state: engine.complete_task(b, state, task_uuid, submitted, for_case(instance)),
            prelude=recorded,
            completing=task_uuid,
        )
    except engine.TaskNotReady as exc:
        db.session.rollback()
        raise Conflict(
            _("This task is no longer waiting for input; reload the case to see where it is.")
        ) from exc
    return task
