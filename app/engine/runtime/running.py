"""Running the engine on a workflow: the script engine a bundle gets, the bound on a path that never
waits, and the workflow restored from its stored state.

Every step (and a migration, and a process test's simulation) runs its action through ``run``, so a
designer's loop fails the step with an ``EngineError`` instead of holding the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException

from app.engine.definitions import Bundle
from app.engine.dmn import DmnError
from app.engine.runtime import serialization, workflow_cache
from app.engine.runtime.results import EngineError
from app.engine.sandbox import SandboxViolation, ScriptError
from app.engine.sandbox import limits as sandbox_limits
from app.engine.scripting import CreditScriptEngine

Directory = Mapping[str, Callable[..., Any]]


def script_engine(bundle: Bundle, directory: Directory | None = None) -> CreditScriptEngine:
    """The sandboxed script engine a step of ``bundle`` runs with (its decisions, the people directory)."""
    return CreditScriptEngine(decisions=bundle.decisions, directory=directory)


# Engine tasks one action may run before it waits (the shipped paths run a dozen), and how deep a path may go:
# SpiffWorkflow's task walk stops 1,000 tasks deep, so a path past that would seem to have stopped.
MAX_ENGINE_STEPS = 5_000
MAX_DEPTH = 900


def run(workflow: BpmnWorkflow, action) -> list[tuple[str, str]]:
    """Run ``action`` (completing a task, firing a timer...) and the engine steps after it; a path that runs
    on without waiting (a loop whose way out is never taken) fails the step instead of holding the worker,
    or, past SpiffWorkflow's 1,000-deep task walk, seeming to stop."""
    path: list[tuple[str, str]] = []
    count = 0

    def bounded(task) -> None:
        nonlocal count
        count += 1
        over = (
            f"{MAX_ENGINE_STEPS} steps without waiting"
            if count > MAX_ENGINE_STEPS
            else f"{MAX_DEPTH} steps from the start"
            if task.depth > MAX_DEPTH
            else None
        )
        if over:
            raise EngineError(
                getattr(task.task_spec, "bpmn_id", None), f"the path ran more than {over}: a loop?"
            )

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
    if isinstance(spec, BoundaryEvent) and isinstance(
        getattr(spec, "event_definition", None), MessageEventDefinition
    ):
        return "MessageBoundaryEvent"
    return type(spec).__name__


def restore(
    bundle: Bundle, state: str, directory: Directory | None = None
) -> tuple[BpmnWorkflow, CreditScriptEngine]:
    """The workflow stored as ``state``: the one the last step left in memory, else parsed."""
    try:
        workflow = workflow_cache.take(bundle, state) or serialization.load(state, bundle)
    except serialization.UnreadableState as exc:  # this case's step fails, recorded and retryable
        raise EngineError(None, f"its stored state cannot be read ({exc})"[:500]) from exc
    engine = script_engine(bundle, directory)
    workflow.script_engine = engine
    return workflow, engine
