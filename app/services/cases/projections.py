"""Write what one engine step produced into the instance row and its projections.

Called inside the step's transaction (flush only): the new state, the human tasks that
became ready or were completed, waiting timers, every decision evaluated, the path the
engine took, and an audit row for each of those events. The instance row itself is written
by ``instance_row.write``, the compare-and-set on its version counter (``WHERE version =
:expected``, moving it to the next version).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import bindparam, select

from app import engine
from app.extensions import db
from app.models import DecisionLog, HumanTask, ProcessInstance, Timer, User
from app.models.base import utcnow
from app.services.approval import sla
from app.services.approval.lanes import APPROVER_LANE
from app.services.audit import audit
from app.services.cases import instance_row
from app.services.cases.case_kinds import kind_of
from app.services.customers.master import directory
from app.services.shared.rows import insert_returning_id, insert_rows

# The data variable that carries the authority level an approval task requires (分级审批).
AUTHORITY_VARIABLE = "approval_level"
OFFICER_LANE = "officer"  # the customer's officer's tasks
# A business rule task is recorded by its decision's row (engine.decision_evaluated, with the element).
PATH_EVENT_TYPES = {
    "ExclusiveGateway": "engine.gateway_taken",
    "ParallelGateway": "engine.gateway_taken",
    "InclusiveGateway": "engine.gateway_taken",
    "ScriptTask": "engine.script_run",
    "EndEvent": "engine.end_reached",
    "StartEvent": "engine.started",
    "BoundaryEvent": "engine.timer_fired",
    "IntermediateCatchEvent": "engine.event_caught",
    "MessageBoundaryEvent": "engine.event_caught",
}


@dataclass
class TaskChanges:
    """The human tasks a step opened and cancelled (what the people concerned are told about)."""

    opened: list[HumanTask] = field(default_factory=list)  # transient copies of the rows inserted
    cancelled: list[HumanTask] = field(default_factory=list)
    timer_fired: bool = False
    started: bool = False  # the step started the case


def _level(data: dict[str, Any]) -> int | None:
    try:
        return int(data[AUTHORITY_VARIABLE])
    except (KeyError, TypeError, ValueError):
        return None


def apply_step(
    instance: ProcessInstance,
    result: engine.StepResult,
    actor: User | None,
    prelude: Callable[[], None] | None = None,
    completing: str | None = None,
    also: dict[str, Any] | None = None,
) -> TaskChanges:
    """Project ``result`` onto ``instance`` (already added to the session); returns the tasks it
    opened and cancelled.

    The instance row is written first (``instance_row.write``: ``WHERE version = :expected``), so a
    lost race (its version changed) fails before any projection is written; ``prelude`` then records what the person did (e.g. the task
    completion) ahead of what the engine did in response, keeping the audit trail in order.
    ``completing`` is the user task the caller completes (it records that row itself).
    """
    now = utcnow()
    summary = dict(instance.summary or {})
    # what lists and the case page show of this kind of case, copied from its data at each step
    keys = kind_of(instance.process_id).summary_keys
    changed = {k for k in keys if k in result.data and result.data[k] != summary.get(k)}
    summary.update({k: audit.to_json_safe(result.data[k]) for k in changed})
    previous_tasks, previous_timers = set(instance.open_tasks or ()), instance.waiting_timers or 0
    instance_row.write(
        instance,
        {
            "state": result.state,
            "serializer_version": engine.SERIALIZER_VERSION,
            "updated_at": now,
            **({"summary": summary} if changed else {}),
            "outcome": result.data.get("outcome") if result.completed else None,
            "status": "completed" if result.completed else "running",
            "completed_at": now if result.completed else None,
            # what it waits for: its tasks, else the events waiting for a message (people who may act, say)
            "current_step": ", ".join(t.name for t in result.ready_tasks)
            or ", ".join(m.name for m in result.messages)
            or None,
            "open_tasks": [t.uuid for t in result.ready_tasks],
            "waiting_timers": len(result.timers),
            **(also or {}),
        },
    )
    # From here on everything is only added; one flush at commit writes it (queries below read
    # rows that already exist, so they need no flush before them).
    with db.session.no_autoflush:
        _project(instance, result, actor, prelude, now)
        changes = _project_tasks(instance, result, now, actor, previous_tasks - {completing})
        if previous_timers or result.timers:
            _project_timers(instance, result)
    changes.timer_fired = any(kind == "BoundaryEvent" for _element, kind in result.path)
    changes.started = any(kind == "StartEvent" for _element, kind in result.path)
    return changes


def _project(
    instance: ProcessInstance,
    result: engine.StepResult,
    actor: User | None,
    prelude: Callable[[], None] | None,
    now,
) -> None:
    if prelude is not None:
        prelude()
    for element_id, kind in result.path:
        event_type = PATH_EVENT_TYPES.get(kind)
        if event_type:
            audit.record(
                event_type,
                actor,
                instance_id=instance.id,
                customer_id=instance.customer_id,
                element=element_id,
            )
    insert_rows(
        DecisionLog,
        [
            dict(
                instance_id=instance.id,
                definition_id=instance.definition_id,
                task_spec=decision.task_spec,
                decision_id=decision.decision_id,
                dmn_file=decision.dmn_file,
                hit_policy=decision.hit_policy,
                inputs=audit.to_json_safe(decision.inputs),
                matched_rules=decision.matched_rules,
                outputs=audit.to_json_safe(decision.outputs),
                evaluated_at=now,
            )
            for decision in result.decisions
        ],
    )
    for decision in result.decisions:
        audit.record(
            "engine.decision_evaluated",
            actor,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            element=decision.task_spec,
            decision=decision.decision_id,
            inputs=decision.inputs,
            matched_rules=decision.matched_rules,
            outputs=decision.outputs,
        )
    if result.completed and instance.status == "completed":  # a withdrawal records its own event
        audit.record(
            "instance.completed",
            actor,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            outcome=instance.outcome,
        )


def _project_tasks(
    instance: ProcessInstance, result: engine.StepResult, now, actor, previous: set[str]
) -> TaskChanges:
    """New ready tasks become rows; tasks the engine dropped without a person completing them
    (e.g. an interrupting timer) are cancelled. Only those are read back."""
    changes = TaskChanges()
    ready = {t.uuid: t for t in result.ready_tasks}
    dropped = previous - set(ready)
    if dropped:
        for row in db.session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id,
                HumanTask.task_uuid.in_(dropped),
                HumanTask.state == "ready",
            )
        ):
            row.state, row.completed_at = "cancelled", now
            changes.cancelled.append(row)
            audit.record(
                "task.cancelled",
                actor,
                instance_id=instance.id,
                customer_id=instance.customer_id,
                task_id=row.id,
                task_uuid=row.task_uuid,
                task=row.task_spec,
            )
    for uuid, task in ready.items():
        if uuid in previous:
            continue
        level = _level(result.data) if task.lane == APPROVER_LANE else None
        assignee_id = _user_id(task.assignee) if task.assignee else None
        if assignee_id is not None and task.lane == OFFICER_LANE:  # the customer may have changed hands since
            assignee_id = directory.officer_now(_customer_of(instance, result.data), assignee_id)
        due_at = task.due_at.astimezone(UTC).replace(tzinfo=None) if task.due_at else None
        values = dict(
            instance_id=instance.id,
            task_uuid=uuid,
            task_spec=task.spec_id,
            name=task.name,
            lane=task.lane,
            form=task.form,
            state="ready",
            created_at=now,
            required_level=level,
            assignee_id=assignee_id,
            claimed_at=now if assignee_id else None,
            due_at=due_at,
            warn_at=sla.warn_at(now, due_at, result.data),
            about=about(task.item),
        )
        changes.opened.append(HumanTask(id=insert_returning_id(HumanTask, values), **values))
        audit.record(
            "task.ready",
            actor,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            task_uuid=uuid,
            task=task.spec_id,
            lane=task.lane,
            required_level=level,
            **({"assignee": task.assignee} if task.assignee else {}),
            **({"due_at": due_at.isoformat()} if due_at else {}),
        )
    return changes


_USER_BY_NAME = select(User.id).where(User.username == bindparam("username"))


ABOUT_KEYS = ("case_id", "reference", "customer_id", "customer_name")


def about(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What one task of a multi-instance step is about, kept on its row for queues and its page: the case
    (id and reference) and the customer its record names (a sampled case, a finding), None for others."""
    found = {key: item[key] for key in ABOUT_KEYS if item and item.get(key) is not None}
    return found or None


def _customer_of(instance: ProcessInstance, data: Mapping[str, Any]) -> int | None:
    """The case's customer: linked, or (a case its first step opens, linked after it) named by its data, as the
    review and warning messages name it."""
    named = data.get("customer_id")
    return instance.customer_id or (named if isinstance(named, int) and not isinstance(named, bool) else None)


def _user_id(username: str) -> int | None:
    """The user a diagram assigned a task to by name; None (the lane's queue) if there is none."""
    return db.session.execute(_USER_BY_NAME, {"username": username}).scalar()


def _project_timers(instance: ProcessInstance, result: engine.StepResult) -> None:
    waiting = {t.uuid: t for t in result.timers}
    passed = {element for element, _kind in result.path}
    for row in db.session.scalars(
        select(Timer).where(Timer.instance_id == instance.id, Timer.status == "waiting")
    ):
        if row.task_uuid not in waiting:
            # Fired only if the engine went through it; gone otherwise (its task was done, the case withdrawn).
            row.status = "fired" if row.due_at <= utcnow() and row.task_spec in passed else "cancelled"
            row.fired_at = utcnow() if row.status == "fired" else None
        else:
            waiting.pop(row.task_uuid)  # still waiting: left as it is
    for timer in waiting.values():
        db.session.add(
            Timer(
                instance_id=instance.id,
                task_uuid=timer.uuid,
                task_spec=timer.spec_id,
                due_at=timer.due_at.astimezone(UTC).replace(tzinfo=None),
            )
        )
