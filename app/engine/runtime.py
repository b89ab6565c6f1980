"""Run one engine step: start, complete a user task, fire due timers.

Each call takes stored state (or nothing, to start), runs the workflow until it waits for
a person or a timer, and returns the new state with everything the services must project:
ready user tasks, waiting timers, decisions evaluated and the path the engine took. No
SpiffWorkflow object leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from app.engine import serialization, workflow_cache
from app.engine.definitions import Bundle
from app.engine.dmn import DmnError
from app.engine.sandbox import SandboxViolation, ScriptError
from app.engine.sandbox import limits as sandbox_limits
from app.engine.scripting import CreditScriptEngine


class EngineError(RuntimeError):
    """The diagram failed while running (script error, no matching rule, ...)."""

    def __init__(self, element_id: str | None, reason: str) -> None:
        super().__init__(f"{element_id}: {reason}" if element_id else reason)
        self.element_id, self.reason = element_id, reason


class TaskNotReady(LookupError):
    """The task is not (or no longer) waiting for a person."""


@dataclass(frozen=True)
class ReadyTask:
    uuid: str
    spec_id: str
    name: str
    lane: str | None
    form: str | None
    assignee: str | None = None  # a username, when the diagram names who must do it (e.g. a committee member)
    due_at: datetime | None = None  # when an interrupting timer on the task fires (its SLA), if it has one
    item: Mapping[str, Any] | None = None  # of a multi-instance step: the record this instance works on


@dataclass(frozen=True)
class WaitingTimer:
    uuid: str
    spec_id: str
    due_at: datetime
    attached_to: str | None = None  # the task an interrupting boundary timer would cancel


@dataclass(frozen=True)
class WaitingMessage:
    """An intermediate catch event waiting for a message (start events are not: a message starts a case)."""

    uuid: str
    spec_id: str
    name: str
    message: str
    lane: str | None = None  # the lane it stands in: whose arrival it waits for, when it waits for people


@dataclass(frozen=True)
class DecisionRecord:
    task_spec: str
    decision_id: str
    dmn_file: str
    hit_policy: str
    inputs: dict[str, Any]
    matched_rules: list[str]
    outputs: Any


@dataclass(frozen=True)
class StepResult:
    """What a step produced. ``data`` is the workflow's live data, not a copy: read it in the
    step's own transaction (the workflow is kept for the next step on ``state``)."""

    state: str
    completed: bool
    data: dict[str, Any]
    ready_tasks: list[ReadyTask]
    timers: list[WaitingTimer]
    decisions: list[DecisionRecord]
    path: list[tuple[str, str]]  # (element id, element type) completed by the engine, in order
    messages: list[WaitingMessage] = field(default_factory=list)  # catch events waiting for a message


Directory = Mapping[str, Callable[..., Any]]


def _engine(bundle: Bundle, directory: Directory | None = None) -> CreditScriptEngine:
    return CreditScriptEngine(decisions=bundle.decisions, directory=directory)


# Engine tasks one action may run before it waits (the shipped paths run a dozen), and how deep a path may go:
# SpiffWorkflow's task walk stops 1,000 tasks deep, so a path past that would seem to have stopped.
MAX_ENGINE_STEPS = 5_000
MAX_DEPTH = 900


def _run(workflow: BpmnWorkflow, action) -> list[tuple[str, str]]:
    """Run ``action`` (completing a task, firing a timer...) and the engine steps after it; a path that runs
    on without waiting (a loop whose way out is never taken) fails the step instead of holding the worker,
    or, past SpiffWorkflow's 1,000-deep task walk, seeming to stop."""
    path: list[tuple[str, str]] = []
    count = 0

    def bounded(task) -> None:
        nonlocal count
        count += 1
        over = (f"{MAX_ENGINE_STEPS} steps without waiting" if count > MAX_ENGINE_STEPS
                else f"{MAX_DEPTH} steps from the start" if task.depth > MAX_DEPTH else None)
        if over:
            raise EngineError(getattr(task.task_spec, "bpmn_id", None), f"the path ran more than {over}: a loop?")

    def record(task) -> None:
        spec = task.task_spec
        if getattr(spec, "bpmn_id", None):
            path.append((spec.bpmn_id, _kind(spec)))

    try:
        # all the designers' code one action runs (a task completed, a timer fired), together
        with sandbox_limits.deadline(sandbox_limits.LIMITS.action_seconds, "one action may take"):
            if action is not None:
                action(record)
            workflow.do_engine_steps(will_complete_task=bounded, did_complete_task=record)
    except (SandboxViolation, ScriptError, DmnError) as exc:
        raise EngineError(None, str(exc)) from exc
    except SpiffWorkflowException as exc:
        task = getattr(exc, "task", None)
        element = task.task_spec.bpmn_id if task is not None else None
        cause = getattr(exc, "error", None) or getattr(exc, "exception", None) or exc
        raise EngineError(element, str(cause).split("\n")[0]) from exc
    return path


def _kind(spec) -> str:
    """What a path records of an element: its class, and for a boundary event caught by a message its
    ``MessageBoundaryEvent`` (SpiffWorkflow's class says only ``BoundaryEvent``, which is read as a time
    limit passing)."""
    if isinstance(spec, BoundaryEvent) and isinstance(getattr(spec, "event_definition", None),
                                                      MessageEventDefinition):
        return "MessageBoundaryEvent"
    return type(spec).__name__


def _result(workflow: BpmnWorkflow, bundle: Bundle, engine: CreditScriptEngine, path) -> StepResult:
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
                assignee = _seen_by(task).get(meta.assignee_variable) if meta and meta.assignee_variable else None
                ready.append(ReadyTask(
                    uuid=str(task.id), spec_id=spec.bpmn_id, name=meta.name if meta else spec.bpmn_id,
                    lane=meta.lane if meta else spec.lane, form=meta.form if meta else None,
                    assignee=str(assignee) if assignee is not None else None, item=item_of(task),
                ))
            continue
        definition = getattr(spec, "event_definition", None)
        due = task.internal_data.get("event_value")
        if isinstance(definition, TimerEventDefinition) and due:
            timers.append(WaitingTimer(str(task.id), spec.bpmn_id, _aware(due), _interrupted_by(task)))
        elif isinstance(definition, MessageEventDefinition) and not isinstance(spec, StartEvent):
            messages.append(WaitingMessage(str(task.id), spec.bpmn_id, spec.bpmn_name or spec.bpmn_id,
                                           definition.name, spec.lane))
    ready = _with_due_dates(ready, timers)
    decisions = [
        DecisionRecord(
            task_spec=d.task_spec, decision_id=d.decision_id, dmn_file=d.dmn_file,
            hit_policy=d.result.hit_policy, inputs=d.result.inputs,
            matched_rules=list(d.result.matched_rule_ids), outputs=d.result.output,
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
        data=_data_of(workflow, completed, first_ready),
        ready_tasks=ready,
        timers=timers,
        decisions=decisions,
        path=path,
        messages=messages,
    )


def _interrupted_by(timer_task) -> str | None:
    """The task an interrupting boundary timer is attached to (the split's other child)."""
    if not (isinstance(timer_task.task_spec, BoundaryEvent) and timer_task.task_spec.cancel_activity):
        return None
    siblings = timer_task.parent.children if timer_task.parent is not None else []
    main = next((t for t in siblings if not isinstance(t.task_spec, BoundaryEvent)), None)
    return str(main.id) if main is not None else None


def _with_due_dates(ready: list[ReadyTask], timers: list[WaitingTimer]) -> list[ReadyTask]:
    """Each ready task with the earliest interrupting timer on it as its due time."""
    due: dict[str, datetime] = {}
    for timer in timers:
        if timer.attached_to and (timer.attached_to not in due or timer.due_at < due[timer.attached_to]):
            due[timer.attached_to] = timer.due_at
    return [replace(task, due_at=due[task.uuid]) if task.uuid in due else task for task in ready]


def _aware(value: str | datetime) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _data_of(workflow: BpmnWorkflow, completed: bool, first_ready) -> dict[str, Any]:
    """The case's current data: the end task's when finished, else the first ready task's
    (or the last completed task's while only timers wait). Read only: not copied."""
    if completed:
        return workflow.data or (workflow.last_task.data if workflow.last_task else {})
    if first_ready is not None:
        return first_ready.data
    return workflow.last_task.data if workflow.last_task else {}


def start(bundle: Bundle, data: Mapping[str, Any] | None = None, directory: Directory | None = None) -> StepResult:
    """Start a new instance of the bundle's process with ``data`` as its initial data."""
    engine = _engine(bundle, directory)
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
    if data:
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
    path = _run(workflow, None)
    return _result(workflow, bundle, engine, path)


def start_by_message(bundle: Bundle, message: str, payload: Mapping[str, Any],
                     directory: Directory | None = None) -> StepResult:
    """Start an instance the way a message starts it: its message start event catches ``message``
    with ``payload`` (which becomes the instance's data) and the process runs on."""
    engine = _engine(bundle, directory)
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
    workflow.do_engine_steps()
    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING)
               if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
               and t.task_spec.event_definition.name == message]
    if not waiting:
        raise EngineError(None, f"{bundle.process_id} does not start on the message {message!r}")
    definition = waiting[0].task_spec.event_definition
    path = _run(workflow, lambda record: workflow.catch(BpmnEvent(definition, dict(payload))))
    return _result(workflow, bundle, engine, path)


def _restore(bundle: Bundle, state: str,
             directory: Directory | None = None) -> tuple[BpmnWorkflow, CreditScriptEngine]:
    """The workflow stored as ``state``: the one the last step left in memory, else parsed."""
    try:
        workflow = workflow_cache.take(bundle, state) or serialization.load(state, bundle)
    except serialization.UnreadableState as exc:  # this case's step fails, recorded and retryable
        raise EngineError(None, f"its stored state cannot be read ({exc})"[:500]) from exc
    engine = _engine(bundle, directory)
    workflow.script_engine = engine
    return workflow, engine


def _ready_user_task(workflow: BpmnWorkflow, task_uuid: str):
    try:
        task = workflow.get_task_from_id(UUID(task_uuid))
    except Exception as exc:  # SpiffWorkflow raises its own TaskNotFoundException
        raise TaskNotReady(f"task {task_uuid} does not exist in this instance") from exc
    if task is None or not task.task_spec.manual or task.state != TaskState.READY:
        raise TaskNotReady(f"task {task_uuid} is not waiting for input")
    return task


def item_of(task) -> Mapping[str, Any] | None:
    """The record an instance of a multi-instance task works on (one sampled case, one finding), if a record."""
    activity = task.parent.task_spec if task.parent is not None else None
    if isinstance(activity, MultiInstanceTask) and activity.input_item is not None:
        item = task.data.get(activity.input_item.bpmn_id)
        if isinstance(item, Mapping):
            return item
    return None


def _seen_by(task) -> Mapping[str, Any]:
    """A task's data as its form sees it: an instance of a multi-instance task whose item is a record (one
    sampled case, one finding) sees the record's fields too, beside the data (which wins on a clash)."""
    item = item_of(task)
    return {**item, **task.data} if item is not None else task.data


def task_data(bundle: Bundle, state: str, task_uuid: str) -> dict[str, Any]:
    """The data a ready user task sees (to prefill its form)."""
    workflow, _ = _restore(bundle, state)
    data = dict(_seen_by(_ready_user_task(workflow, task_uuid)))
    workflow_cache.put(bundle, state, workflow)  # only read: still exactly ``state``
    return data


def complete_task(bundle: Bundle, state: str, task_uuid: str, data: Mapping[str, Any],
                  directory: Directory | None = None, performer: str | None = None) -> StepResult:
    """Merge ``data`` into a ready user task, complete it and run on.

    For one instance of a multi-instance task (e.g. a committee member's vote) the submission,
    with the instance's input item, also becomes the instance's output item, which SpiffWorkflow
    collects into the activity's output collection. When the item is the person the instance is
    assigned to (its assignee variable), it becomes ``performer``, the user who completes it: a vote
    handed to another member counts as theirs.
    """
    workflow, engine = _restore(bundle, state, directory)
    task = _ready_user_task(workflow, task_uuid)

    def act(record) -> None:
        task.data.update(data)
        _take_over(bundle, task, performer)
        _set_output_item(task, data)
        task.run()
        record(task)

    path = _run(workflow, act)
    return _result(workflow, bundle, engine, path)


def _take_over(bundle: Bundle, task, performer: str | None) -> None:
    """The instance's item names the person it was assigned to: it names who does it now."""
    activity = task.parent.task_spec if task.parent is not None else None
    meta = bundle.user_tasks.get(task.task_spec.bpmn_id)
    if performer is None or meta is None or not isinstance(activity, MultiInstanceTask) \
            or activity.input_item is None or meta.assignee_variable != activity.input_item.bpmn_id:
        return
    if isinstance(task.data.get(meta.assignee_variable), str):
        task.data[meta.assignee_variable] = performer


def _set_output_item(task, data: Mapping[str, Any]) -> None:
    activity = task.parent.task_spec if task.parent is not None else None
    if not isinstance(activity, MultiInstanceTask) or activity.output_item is None:
        return
    item = dict(data)
    if activity.input_item is not None and activity.input_item.bpmn_id in task.data:
        item[activity.input_item.bpmn_id] = task.data[activity.input_item.bpmn_id]
    task.data[activity.output_item.bpmn_id] = item


def cancel(bundle: Bundle, state: str, data: Mapping[str, Any]) -> StepResult:
    """Stop the instance where it stands (a withdrawn application): every waiting task and timer is
    cancelled and nothing more runs. ``data`` (e.g. the outcome) is kept in the workflow's data."""
    workflow, engine = _restore(bundle, state)
    workflow.data.update(data)
    workflow.cancel()
    return _result(workflow, bundle, engine, [])


def fire_due_timers(bundle: Bundle, state: str, directory: Directory | None = None) -> StepResult:
    """Fire every timer of the instance that is due now and run on."""
    workflow, engine = _restore(bundle, state, directory)
    path = _run(workflow, lambda record: workflow.refresh_timers())
    return _result(workflow, bundle, engine, path)


def deliver_message(bundle: Bundle, state: str, message: str, payload: Mapping[str, Any],
                    directory: Directory | None = None) -> StepResult:
    """Deliver ``message`` with ``payload`` to the catch events of the instance waiting for it and run on;
    ``TaskNotReady`` if none waits (the case has moved on)."""
    workflow, engine = _restore(bundle, state, directory)
    waiting = [t for t in workflow.get_tasks(state=TaskState.WAITING)
               if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
               and not isinstance(t.task_spec, StartEvent) and t.task_spec.event_definition.name == message]
    if not waiting:
        workflow_cache.put(bundle, state, workflow)  # only read: still exactly ``state``
        raise TaskNotReady(f"no event of this instance waits for the message {message!r}")
    definition = waiting[0].task_spec.event_definition
    path = _run(workflow, lambda record: workflow.catch(BpmnEvent(definition, dict(payload))))
    return _result(workflow, bundle, engine, path)
