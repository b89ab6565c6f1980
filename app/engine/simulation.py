"""One instance run wholly in memory, for process tests: never serialized, stored or audited.

A ``Simulation`` starts a bundle's process (plainly or by its start message), completes ready user
tasks, fires a waiting timer on demand (whatever its due time) and delivers messages, with the same
sandboxed script engine and DMN evaluator as a real step (``runtime``). After each action it answers
what a test checks: which user tasks wait, which timers and messages, whether the process completed
and at which end event of its own, and the case's data.

Process tests run on every save and page open of the designer's editor, so a path that loops without
ever waiting stops with an ``EngineError`` (``MAX_ENGINE_STEPS``, ``MAX_DEPTH``, ``MAX_SECONDS``) instead of
hanging. A script that never ends is the sandbox's to stop (``while`` is refused, loops are bounded).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from app.engine import runtime
from app.engine.definitions import Bundle
from app.engine.runtime import (
    Directory,
    EngineError,
    ReadyTask,
    data_of,
    item_of,
    run,
    script_engine,
    seen_by,
    set_output_item,
)
from app.engine.sandbox import limits as sandbox_limits

# The runtime's own bounds (runtime.MAX_ENGINE_STEPS, MAX_DEPTH) hold here too; a test also has a time bound,
# since the engine slows down as a path deepens (a loop through a parallel join takes minutes to get there).
MAX_ENGINE_STEPS, MAX_DEPTH = runtime.MAX_ENGINE_STEPS, runtime.MAX_DEPTH
MAX_SECONDS = 5.0  # per action


class _BoundedWorkflow(BpmnWorkflow):
    """A workflow whose ``do_engine_steps`` stops a path that runs on too long without waiting: a loop."""

    def do_engine_steps(self, will_complete_task=None, did_complete_task=None) -> None:
        count, deadline, limit = 0, time.monotonic() + MAX_SECONDS, f"{MAX_SECONDS:g} seconds without waiting"
        check = sandbox_limits.current_deadline()  # the whole check's (a draft's save): ends this action too
        if check is not None and check[0] < deadline:
            deadline, limit = check

        def counted(task) -> None:
            nonlocal count
            count += 1
            over = (
                f"{MAX_ENGINE_STEPS} steps without waiting"
                if count > MAX_ENGINE_STEPS
                else f"{MAX_DEPTH} steps from the start"
                if task.depth > MAX_DEPTH
                else limit
                if time.monotonic() > deadline
                else None
            )
            if over:
                raise EngineError(
                    getattr(task.task_spec, "bpmn_id", None), f"the path ran more than {over}: a loop?"
                )
            if will_complete_task is not None:
                will_complete_task(task)

        super().do_engine_steps(counted, did_complete_task)


def _timer(task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)


def _message(task) -> str | None:
    definition = getattr(task.task_spec, "event_definition", None)
    return definition.name if isinstance(definition, MessageEventDefinition) else None


def simulation_ids(bundle: Bundle) -> dict[str, set[str]]:
    """What a test may name: the timer events and the messages of catch events (not start events) of the
    process and those it embeds or calls ("timers", "messages"), and the process's own end events ("ends")."""
    timers: set[str] = set()
    messages: set[str] = set()
    for process in [bundle.spec, *bundle.subprocess_specs.values()]:
        for spec in process.task_specs.values():
            definition = getattr(spec, "event_definition", None)
            if isinstance(definition, TimerEventDefinition) and getattr(spec, "bpmn_id", None):
                timers.add(spec.bpmn_id)
            elif isinstance(definition, MessageEventDefinition) and not isinstance(spec, StartEvent):
                messages.add(definition.name)
    ends = {
        spec.bpmn_id
        for spec in bundle.spec.task_specs.values()
        if isinstance(spec, EndEvent) and getattr(spec, "bpmn_id", None)
    }
    return {"timers": timers, "messages": messages, "ends": ends}


class Simulation:
    """A process instance that lives only as long as this object."""

    def __init__(self, bundle: Bundle, directory: Directory | None = None) -> None:
        self.bundle = bundle
        self.engine = script_engine(bundle, directory)
        self.workflow = _BoundedWorkflow(bundle.spec, bundle.subprocess_specs, script_engine=self.engine)
        self.path: list[tuple[str, str]] = []
        self._ends = simulation_ids(bundle)["ends"]

    # -- actions -------------------------------------------------------------------------------
    def start(self, data: Mapping[str, Any] | None = None) -> None:
        if data:
            self.workflow.task_tree.data.update(data)
            for task in self.workflow.get_tasks(state=TaskState.READY):
                task.data.update(data)
        self.path += run(self.workflow, None)

    def start_by_message(self, message: str, payload: Mapping[str, Any]) -> None:
        self.workflow.do_engine_steps()
        waiting = [t for t in self.workflow.get_tasks(state=TaskState.WAITING) if _message(t) == message]
        if not waiting:
            raise EngineError(None, f"{self.bundle.process_id} does not start on the message {message!r}")
        definition = waiting[0].task_spec.event_definition
        self.path += run(
            self.workflow, lambda record: self.workflow.catch(BpmnEvent(definition, dict(payload)))
        )

    def complete(self, task_uuid: str, data: Mapping[str, Any]) -> None:
        """Merge ``data`` into the ready user task ``task_uuid`` (see ``ready_tasks``) and run on."""
        task = next(t for t in self._ready() if str(t.id) == task_uuid)

        def act(record) -> None:
            task.data.update(data)
            set_output_item(task, data)
            task.run()
            record(task)

        self.path += run(self.workflow, act)

    def fire_timer(self, spec_id: str) -> bool:
        """Fire the waiting timer ``spec_id`` now, whenever it is due, and run on; False if none waits."""
        waiting = [
            t
            for t in self.workflow.get_tasks(state=TaskState.WAITING)
            if _timer(t) and t.task_spec.bpmn_id == spec_id
        ]
        if not waiting:
            return False
        for task in waiting:
            task.internal_data["event_fired"] = True
        self.path += run(self.workflow, lambda record: self.workflow.refresh_timers())
        return True

    def send_message(self, message: str, payload: Mapping[str, Any]) -> bool:
        """Deliver ``message`` to the event waiting for it and run on; False if none waits."""
        waiting = [t for t in self.workflow.get_tasks(state=TaskState.WAITING) if _message(t) == message]
        if not waiting:
            return False
        definition = waiting[0].task_spec.event_definition
        self.path += run(
            self.workflow, lambda record: self.workflow.catch(BpmnEvent(definition, dict(payload)))
        )
        return True

    # -- what a test checks --------------------------------------------------------------------
    def _ready(self) -> list:
        return [t for t in self.workflow.get_tasks(state=TaskState.READY) if t.task_spec.manual]

    def ready_tasks(self) -> list[ReadyTask]:
        """The user tasks waiting for a person, in the engine's order."""
        found = []
        for task in self._ready():
            spec = task.task_spec
            meta = self.bundle.user_tasks.get(spec.bpmn_id)
            assignee = seen_by(task).get(meta.assignee_variable) if meta and meta.assignee_variable else None
            found.append(
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
        return found

    def task_data(self, task_uuid: str) -> dict[str, Any]:
        """The data a ready user task's form sees."""
        task = next(t for t in self._ready() if str(t.id) == task_uuid)
        return dict(seen_by(task))

    def waiting_timers(self) -> list[str]:
        return [t.task_spec.bpmn_id for t in self.workflow.get_tasks(state=TaskState.WAITING) if _timer(t)]

    def waiting_messages(self) -> list[str]:
        return [name for t in self.workflow.get_tasks(state=TaskState.WAITING) if (name := _message(t))]

    @property
    def completed(self) -> bool:
        return self.workflow.is_completed()

    @property
    def end(self) -> str | None:
        """The end event of the process itself (not of a process it called) that it reached last."""
        return next((element for element, _kind in reversed(self.path) if element in self._ends), None)

    @property
    def data(self) -> dict[str, Any]:
        """The case's data as a real step would project it (read only)."""
        ready = self._ready()
        return data_of(self.workflow, self.completed, ready[0] if ready else None)
