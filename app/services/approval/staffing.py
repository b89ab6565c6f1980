"""Cases that cannot go on for want of someone who may act (无人可办), and the one place that knows when
they can.

A case stops for want of people in two ways. A step opens a task nobody may do: no active member of its
lane, no qualified approver of its level clear of the case (审贷分离), or an assignee who may no longer do it.
Or the diagram waits, at an intermediate catch event for the message ``staffing_changed``, for someone of
the event's lane who may act on the case: the committee convenes only with members who may vote on it, and
with none it waits there instead of voting with nobody. Either way the step opens a gap (``StaffingGap``):
the case page and the administrators' task list show it, its specific cause (nobody in the lane, or who is in
it and why each may not decide this case) and what to do, ``staffing.short`` is audited, and the administrators
are told in the app and by e-mail once per need (a lane and level, or an assignee), however many cases wait
for it and however often a re-check finds it still unmet.

``recheck`` is the resume hook. The services that change who may act call it (a qualification recorded, a
user created, added to a group or reactivated, a task reassigned), and beat runs it as a safety net, since a
qualification also lapses by date. It delivers ``staffing_changed`` to each waiting diagram that someone may
now act on (the committee convenes again, and its members find their votes), closes each gap someone may now
fill and tells them the task waits (``staffing.restored``), and opens a gap for every open task nobody may do
any more.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError

from app import engine
from app.errors import Conflict, ProcessFailed
from app.extensions import db
from app.localtime import local_today
from app.models import HumanTask, ProcessInstance, StaffingGap, User, UserGroup
from app.models.base import utcnow
from app.services.approval import eligibility
from app.services.audit import audit
from app.services.cases import steps
from app.services.cases.projections import TaskChanges
from app.services.customers.master import directory
from app.services.notifications import notifications
from app.services.shared import one_by_one
from app.services.shared.rows import insert_returning_id

# The message a diagram waits for when nobody may act (see workflows/credit_application.bpmn, wait_for_members).
MESSAGE = "staffing_changed"
DECIDING_LANES = (
    eligibility.COMMITTEE_LANE,
    eligibility.APPROVER_LANE,
)  # whose cause the case page spells out

_OPEN_OF_CASE = select(StaffingGap).where(
    StaffingGap.instance_id == bindparam("instance_id"), StaffingGap.closed_at.is_(None)
)


def after_step(
    instance: ProcessInstance, result: engine.StepResult, changes: TaskChanges, actor: User | None
) -> None:
    """In the step's transaction: close the gaps of what no longer waits, open one for each task the step
    opened that nobody may do and for each wait for people it left."""
    waiting = {f"task:{t.uuid}" for t in result.ready_tasks} | {f"wait:{m.uuid}" for m in result.messages}
    known = set()
    for gap in db.session.scalars(_OPEN_OF_CASE, {"instance_id": instance.id}):
        if gap.subject in waiting:
            known.add(gap.subject)
        else:  # done, dropped or caught: nothing waits on it any more
            gap.closed_at = utcnow()
    for wait in result.messages:
        if wait.message == MESSAGE and f"wait:{wait.uuid}" not in known:
            _open(instance, actor, f"wait:{wait.uuid}", wait.spec_id, wait.name, wait.lane, None, "nobody")
    for task in changes.opened:
        reason = _short(task, instance)
        if reason is not None:
            _open(
                instance,
                actor,
                f"task:{task.task_uuid}",
                task.task_spec,
                task.name,
                task.lane,
                task.required_level,
                reason,
                task,
            )


def _short(task: HumanTask, instance: ProcessInstance) -> str | None:
    """Why nobody may do ``task`` ("nobody", "assignee"), or None when someone may."""
    if task.lane is None:
        return None  # in no lane: not a queue's task (check_may_act lets anyone do it)
    if task.assignee_id is not None:
        return (
            None
            if eligibility.anyone_could(task.lane, instance, task.required_level, only=task.assignee_id)
            else "assignee"
        )
    return None if eligibility.anyone_could(task.lane, instance, task.required_level) else "nobody"


def _open(
    instance: ProcessInstance,
    actor: User | None,
    subject: str,
    element: str,
    name: str,
    lane: str | None,
    level: int | None,
    reason: str,
    task: HumanTask | None = None,
) -> None:
    values = dict(
        instance_id=instance.id,
        subject=subject,
        task_id=task.id if task else None,
        element=element,
        name=name,
        lane=lane,
        required_level=level,
        reason=reason,
        assignee_id=task.assignee_id if task else None,
        opened_at=utcnow(),
        closed_at=None,
    )
    gap = StaffingGap(id=insert_returning_id(StaffingGap, values), **values)
    audit.record(
        "staffing.short",
        actor,
        instance_id=instance.id,
        customer_id=instance.customer_id,
        element=element,
        lane=lane,
        required_level=level,
        reason=reason,
        **({"task_id": task.id, "assignee_id": task.assignee_id} if task else {}),
    )
    if not _need_known(gap):
        notifications.unstaffed(instance, gap)


def _need_known(gap: StaffingGap) -> bool:
    """Is the need ``gap`` stands for (its lane and level, or its assignee) already open on another case, so
    the administrators were told of it? They are told once per need, not per case and not again at a
    re-check while it is unmet; once every gap of a need closes, the next one tells them again."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    StaffingGap.id != gap.id,
                    StaffingGap.closed_at.is_(None),
                    StaffingGap.reason == gap.reason,
                    StaffingGap.lane.is_not_distinct_from(gap.lane),
                    StaffingGap.required_level.is_not_distinct_from(gap.required_level),
                    StaffingGap.assignee_id.is_not_distinct_from(gap.assignee_id),
                )
            )
        )
    )


def explain(gap: StaffingGap) -> str:
    """Why the case waits — the specific cause, as it stands now — and what the administrator does, in the
    current language."""
    assignee = db.session.get(User, gap.assignee_id) if gap.assignee_id else None
    short = (
        eligibility.shortfall(gap.lane, gap.instance, gap.required_level)
        if gap.reason == "nobody" and gap.lane in DECIDING_LANES
        else None
    )
    return eligibility.explain(
        gap.reason, gap.lane, gap.required_level, assignee.display_name if assignee else None, short
    )


@dataclass
class Recheck:
    """What one re-check did."""

    resumed: list[int] = field(default_factory=list)  # cases whose diagram went on (the committee convened)
    filled: list[int] = field(default_factory=list)  # gaps someone may now fill
    opened: list[int] = field(default_factory=list)  # gaps opened for tasks nobody may do any more


def recheck(actor: User | None = None) -> Recheck:
    """Resume every case someone may now act on, and find every open task nobody may do any more. Each case
    in its own transaction: one that fails (its step, or a race) is left for the next re-check."""
    done = Recheck()
    for gap_id in list(
        db.session.scalars(
            select(StaffingGap.id).where(StaffingGap.closed_at.is_(None)).order_by(StaffingGap.id)
        )
    ):
        gap = db.session.get(StaffingGap, gap_id)
        if gap is None or gap.closed_at is not None:
            continue
        instance_id = gap.instance_id
        try:
            _recheck(gap, actor, done)
        except Exception as exc:  # noqa: BLE001 - this case's failure, recorded; the others are re-checked
            _failed(actor, instance_id, one_by_one.failed("staffing re-check of case", instance_id, exc))
    for task_id, instance_id in [(t.id, t.instance_id) for t in db.session.scalars(_nobody_may_do())]:
        task = db.session.get(HumanTask, task_id)
        assert task is not None  # tasks are never deleted
        reason = "nobody" if task.assignee_id is None else "assignee"
        try:
            _open(
                task.instance,
                actor,
                f"task:{task.task_uuid}",
                task.task_spec,
                task.name,
                task.lane,
                task.required_level,
                reason,
                task,
            )
            db.session.commit()
        except IntegrityError:  # another re-check opened it first
            db.session.rollback()
            continue
        except Exception as exc:  # noqa: BLE001 - this case's failure, recorded; the others are re-checked
            _failed(actor, instance_id, one_by_one.failed("staffing re-check of case", instance_id, exc))
            continue
        done.opened.append(task_id)
    return done


def _failed(actor: User | None, instance_id: int, reason: str) -> None:
    instance = db.session.get(ProcessInstance, instance_id)
    audit.record(
        "engine.error",
        actor,
        instance_id=instance_id,
        customer_id=instance.customer_id if instance else None,
        process_id=instance.process_id if instance else None,
        element=None,
        reason=reason,
    )
    db.session.commit()


def _recheck(gap: StaffingGap, actor: User | None, done: Recheck) -> None:
    instance = gap.instance
    task = gap.task
    if instance.status != "running" or (
        gap.subject.startswith("task:") and (task is None or task.state != "ready")
    ):
        gap.closed_at = utcnow()  # the case moved on without it
        db.session.commit()
        return
    if task is None:  # a diagram waiting for people
        if not eligibility.anyone_could(gap.lane, instance, deciding=True):  # as voters_of asks
            return

        def restored() -> None:  # recorded ahead of what the engine does in response
            _restored(gap, instance, actor)

        try:
            steps.run_step(
                instance,
                actor,
                lambda b, state: engine.deliver_message(b, state, MESSAGE, {}, directory.for_case(instance)),
                prelude=restored,
            )
        except engine.TaskNotReady:  # no longer waiting for it
            db.session.rollback()
            closed = db.session.get(StaffingGap, gap.id)
            assert closed is not None  # gaps are never deleted
            closed.closed_at = utcnow()
            db.session.commit()
            return
        except (Conflict, ProcessFailed):
            db.session.rollback()  # someone moved it first, or its step failed (recorded): next time
            return
        done.resumed.append(instance.id)
        done.filled.append(gap.id)
        return
    if _short(task, instance) is None:
        gap.closed_at = utcnow()
        _restored(gap, instance, actor)
        if task.assignee_id is None:
            notifications.waiting_for(
                eligibility.able_users(task.lane, instance, task.required_level), instance, task
            )
        db.session.commit()
        done.filled.append(gap.id)


def _restored(gap: StaffingGap, instance: ProcessInstance, actor: User | None) -> None:
    audit.record(
        "staffing.restored",
        actor,
        instance_id=instance.id,
        customer_id=instance.customer_id,
        element=gap.element,
        lane=gap.lane,
        reason=gap.reason,
        **({"task_id": gap.task_id} if gap.task_id else {}),
    )


def _nobody_may_do():
    """The open tasks of a lane, with no open gap, that nobody may do now (the assignee, when there is one):
    one query over every open task, with ``eligibility.could_work`` correlated on each."""
    task, case = HumanTask, ProcessInstance
    someone = exists(
        select(User.id)
        .select_from(User)
        .join(UserGroup, UserGroup.user_id == User.id)
        .where(
            eligibility.could_work(
                task.lane, task.instance_id, case.started_by_id, task.required_level, local_today()
            ),
            or_(task.assignee_id.is_(None), User.id == task.assignee_id),
        )
    )
    known = exists().where(StaffingGap.task_id == task.id, StaffingGap.closed_at.is_(None))
    return (
        select(task)
        .join(case, case.id == task.instance_id)
        .where(task.state == "ready", task.lane.is_not(None), case.status == "running", ~someone, ~known)
        .order_by(task.id)
    )


@dataclass(frozen=True)
class Waiting:
    """An open gap as the pages show it."""

    gap: StaffingGap
    reason: str  # explained, with what to do


def of_case(instance_id: int) -> list[Waiting]:
    """What the case waits for people for (its page)."""
    return _listed(select(StaffingGap).where(StaffingGap.instance_id == instance_id))


def for_user(user: User) -> list[Waiting]:
    """What ``user``'s task list shows: every waiting case for an administrator (who can fix it), the cases
    they opened for anyone else."""
    query = select(StaffingGap).join(ProcessInstance, ProcessInstance.id == StaffingGap.instance_id)
    if user.role != "admin":
        query = query.where(ProcessInstance.started_by_id == user.id)
    return _listed(query)


def _listed(query) -> list[Waiting]:
    return [
        Waiting(gap, explain(gap))
        for gap in db.session.scalars(query.where(StaffingGap.closed_at.is_(None)).order_by(StaffingGap.id))
    ]
