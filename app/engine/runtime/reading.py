"""What a step leaves for the services to project, read from the workflow after it ran.

One walk over the task tree collects the ready user tasks (with who must do them and when they are
due), the waiting timers and messages, the decisions evaluated and the case's data; the workflow is
serialized and kept in memory for the next step on that state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.util.task import TaskState

from app.engine.definitions import Bundle
from app.engine.runtime import serialization, workflow_cache
from app.engine.runtime.results import DecisionRecord, ReadyTask, StepResult, WaitingMessage, WaitingTimer
from app.engine.scripting import CreditScriptEngine


def step_result(workflow: BpmnWorkflow, bundle: Bundle, engine: CreditScriptEngine, path) -> StepResult:
    """The step's result: what now waits, the decisions ``engine`` evaluated, the new state (kept in memory
    for the next step unless the workflow completed)."""
    ready: list[ReadyTask] = []
    timers: list[WaitingTimer] = []
    messages: list[WaitingMessage] = []
    first_ready = None
    # One walk over the task tree collects ready user tasks, waiting timers and messages, and the data.
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        spec = task.task_spec
        if task.state == TaskState.READY:
            first_ready = first_ready or task
            if spec.manual:
                meta = bundle.user_tasks.get(spec.bpmn_id)
                assignee = (
                    seen_by(task).get(meta.assignee_variable) if meta and meta.assignee_variable else None
                )
                ready.append(
                    ReadyTask(
                        uuid=str(task.id),
                        spec_id=spec.bpmn_id,
                        name=meta.name if meta else spec.bpmn_id,
                        lane=meta.lane if meta else spec.lane,
                        form=meta.form if meta else None,
                        assignee=str(assignee) if assignee is not None else None,
                        item=item_of(task),
                    )
                )
            continue
        definition = getattr(spec, "event_definition", None)
        due = task.internal_data.get("event_value")
        if isinstance(definition, TimerEventDefinition) and due:
            timers.append(WaitingTimer(str(task.id), spec.bpmn_id, _aware(due), _interrupted_by(task)))
        elif isinstance(definition, MessageEventDefinition) and not isinstance(spec, StartEvent):
            messages.append(
                WaitingMessage(
                    str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id, definition.name, spec.lane
                )
            )
    ready = _with_due_dates(ready, timers)
    decisions = [
        DecisionRecord(
            task_spec=d.task_spec,
            decision_id=d.decision_id,
            dmn_file=d.dmn_file,
            hit_policy=d.result.hit_policy,
            inputs=d.result.inputs,
            matched_rules=list(d.result.matched_rule_ids),
            outputs=d.result.output,
        )
        for d in engine.evaluated
    ]
    completed = workflow.is_completed()
    state = serialization.dump(workflow)
    if not completed:
        workflow_cache.put(bundle, state, workflow)
    return StepResult(
        state=state,
        completed=completed,
        data=data_of(workflow, completed, first_ready),
        ready_tasks=ready,
        timers=timers,
        decisions=decisions,
        path=path,
        messages=messages,
    )


def _interrupted_by(timer_task) -> str | None:
    """The task a boundary timer is attached to (the split's other child): an interrupting one cancels it when
    it fires, a non-interrupting one (an overdue inspection escalated while the officer still records it)
    starts other work beside it; either is the task's due time."""
    if not isinstance(timer_task.task_spec, BoundaryEvent):
        return None
    siblings = timer_task.parent.children if timer_task.parent is not None else []
    main = next((t for t in siblings if not isinstance(t.task_spec, BoundaryEvent)), None)
    return str(main.id) if main is not None else None


def _with_due_dates(ready: list[ReadyTask], timers: list[WaitingTimer]) -> list[ReadyTask]:
    """Each ready task with the earliest boundary timer on it as its due time."""
    due: dict[str, datetime] = {}
    for timer in timers:
        if timer.attached_to and (timer.attached_to not in due or timer.due_at < due[timer.attached_to]):
            due[timer.attached_to] = timer.due_at
    return [replace(task, due_at=due[task.uuid]) if task.uuid in due else task for task in ready]


def _aware(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def data_of(workflow: BpmnWorkflow, completed: bool, first_ready) -> dict[str, Any]:
    """The case's current data: the end task's when finished, else the first ready task's
    (or the last completed task's while only timers wait). Read only: not copied."""
    if completed:
        return workflow.data or (workflow.last_task.data if workflow.last_task else {})
    if first_ready is not None:
        return first_ready.data
    return workflow.last_task.data if workflow.last_task else {}


def item_of(task) -> Mapping[str, Any] | None:
    """The record an instance of a multi-instance task works on (one sampled case, one finding), if a record."""
    activity = task.parent.task_spec if task.parent is not None else None
    if isinstance(activity, MultiInstanceTask) and activity.input_item is not None:
        item = task.data.get(activity.input_item.bpmn_id)
        if isinstance(item, Mapping):
            return item
    return None


def seen_by(task) -> Mapping[str, Any]:
    """A task's data as its form sees it: an instance of a multi-instance task whose item is a record (one
    sampled case, one finding) sees the record's fields too, beside the data (which wins on a clash)."""
    item = item_of(task)
    return {**item, **task.data} if item is not None else task.data
