"""The steps the services take on an instance: start it, complete a user task, cancel it, fire its due
timers, deliver a message to it.

Each call takes stored state (or nothing, to start), runs the workflow until it waits for a person, a
timer or a message, and returns the new state with everything the services must project (a
``StepResult``). No SpiffWorkflow object leaves this package.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from app.engine.definitions import Bundle
from app.engine.runtime import workflow_cache
from app.engine.runtime.reading import seen_by, step_result
from app.engine.runtime.results import EngineError, StepResult, TaskNotReady
from app.engine.runtime.running import Directory, restore, run, script_engine


def start(
    bundle: Bundle, data: Mapping[str, Any] | None = None, directory: Directory | None = None
) -> StepResult:
    """Start a new instance of the bundle's process with ``data`` as its initial data."""
    engine = script_engine(bundle, directory)
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
    if data:
        workflow.task_tree.data.update(data)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(data)
    path = run(workflow, None)
    return step_result(workflow, bundle, engine, path)


def start_by_message(
    bundle: Bundle, message: str, payload: Mapping[str, Any], directory: Directory | None = None
) -> StepResult:
    """Start an instance the way a message starts it: its message start event catches ``message``
    with ``payload`` (which becomes the instance's data) and the process runs on."""
    engine = script_engine(bundle, directory)
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=engine)
    workflow.do_engine_steps()
    waiting = [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
        and t.task_spec.event_definition.name == message
    ]
    if not waiting:
        raise EngineError(None, f"{bundle.process_id} does not start on the message {message!r}")
    definition = waiting[0].task_spec.event_definition
    path = run(workflow, lambda record: workflow.catch(BpmnEvent(definition, dict(payload))))
    return step_result(workflow, bundle, engine, path)


def _ready_user_task(workflow: BpmnWorkflow, task_uuid: str):
    try:
        task = workflow.get_task_from_id(UUID(task_uuid))
    except Exception as exc:  # SpiffWorkflow raises its own TaskNotFoundException
        raise TaskNotReady(f"task {task_uuid} does not exist in this instance") from exc
    if task is None or not task.task_spec.manual or task.state != TaskState.READY:
        raise TaskNotReady(f"task {task_uuid} is not waiting for input")
    return task


def task_data(bundle: Bundle, state: str, task_uuid: str) -> dict[str, Any]:
    """The data a ready user task sees (to prefill its form)."""
    workflow, _ = restore(bundle, state)
    data = dict(seen_by(_ready_user_task(workflow, task_uuid)))
    workflow_cache.put(bundle, state, workflow)  # only read: still exactly ``state``
    return data


def complete_task(
    bundle: Bundle,
    state: str,
    task_uuid: str,
    data: Mapping[str, Any],
    directory: Directory | None = None,
    performer: str | None = None,
) -> StepResult:
    """Merge ``data`` into a ready user task, complete it and run on.

    For one instance of a multi-instance task (e.g. a committee member's vote) the submission,
    with the instance's input item, also becomes the instance's output item, which SpiffWorkflow
    collects into the activity's output collection. When the item is the person the instance is
    assigned to (its assignee variable), it becomes ``performer``, the user who completes it: a vote
    handed to another member counts as theirs.
    """
    workflow, engine = restore(bundle, state, directory)
    task = _ready_user_task(workflow, task_uuid)

    def act(record) -> None:
        task.data.update(data)
        _take_over(bundle, task, performer)
        set_output_item(task, data)
        task.run()
        record(task)

    path = run(workflow, act)
    return step_result(workflow, bundle, engine, path)


def _take_over(bundle: Bundle, task, performer: str | None) -> None:
    """The instance's item names the person it was assigned to: it names who does it now."""
    activity = task.parent.task_spec if task.parent is not None else None
    meta = bundle.user_tasks.get(task.task_spec.bpmn_id)
    if (
        performer is None
        or meta is None
        or not isinstance(activity, MultiInstanceTask)
        or activity.input_item is None
        or meta.assignee_variable != activity.input_item.bpmn_id
    ):
        return
    if isinstance(task.data.get(meta.assignee_variable), str):
        task.data[meta.assignee_variable] = performer


def set_output_item(task, data: Mapping[str, Any]) -> None:
    """Of one instance of a multi-instance task: the submission, with the instance's input item, as its
    output item (which SpiffWorkflow collects into the activity's output collection)."""
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
    workflow, engine = restore(bundle, state)
    workflow.data.update(data)
    workflow.cancel()
    return step_result(workflow, bundle, engine, [])


def fire_due_timers(bundle: Bundle, state: str, directory: Directory | None = None) -> StepResult:
    """Fire every timer of the instance that is due now and run on."""
    workflow, engine = restore(bundle, state, directory)
    path = run(workflow, lambda record: workflow.refresh_timers())
    return step_result(workflow, bundle, engine, path)


def deliver_message(
    bundle: Bundle, state: str, message: str, payload: Mapping[str, Any], directory: Directory | None = None
) -> StepResult:
    """Deliver ``message`` with ``payload`` to the catch events of the instance waiting for it and run on;
    ``TaskNotReady`` if none waits (the case has moved on)."""
    workflow, engine = restore(bundle, state, directory)
    waiting = [
        t
        for t in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(t.task_spec, "event_definition", None), MessageEventDefinition)
        and not isinstance(t.task_spec, StartEvent)
        and t.task_spec.event_definition.name == message
    ]
    if not waiting:
        workflow_cache.put(bundle, state, workflow)  # only read: still exactly ``state``
        raise TaskNotReady(f"no event of this instance waits for the message {message!r}")
    definition = waiting[0].task_spec.event_definition
    path = run(workflow, lambda record: workflow.catch(BpmnEvent(definition, dict(payload))))
    return step_result(workflow, bundle, engine, path)
