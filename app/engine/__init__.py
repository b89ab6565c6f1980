"""The engine adapter: the only package that imports SpiffWorkflow.

Services use what this module exports and get back our own dataclasses, never engine
objects: bundles are built from deployed files, steps return ``StepResult``.
"""

from app.engine.definitions import Bundle, DefinitionError, UserTaskMeta, build_bundle, content_hash
from app.engine.moddle.registry import spiffworkflow_descriptor
from app.engine.runtime import (
    SERIALIZER_VERSION,
    DecisionRecord,
    EngineError,
    ReadyTask,
    StateVersionError,
    StepResult,
    TaskNotReady,
    UnreadableState,
    WaitingMessage,
    WaitingTimer,
    cancel,
    complete_task,
    configure_cache,
    deliver_message,
    fire_due_timers,
    start,
    start_by_message,
    task_data,
)
from app.engine.sandbox import LIMITS as SANDBOX_LIMITS
from app.engine.sandbox import bounded_checks
from app.engine.simulation import Simulation, simulation_ids
from app.engine.validation import (
    Problem,
    called_processes,
    decision_files,
    dmn_problems,
    process_ids,
    references,
    validate_bundle,
)

__all__ = [
    "SANDBOX_LIMITS",
    "bounded_checks",
    "SERIALIZER_VERSION",
    "Bundle",
    "DecisionRecord",
    "DefinitionError",
    "EngineError",
    "Problem",
    "ReadyTask",
    "Simulation",
    "StateVersionError",
    "UnreadableState",
    "StepResult",
    "TaskNotReady",
    "UserTaskMeta",
    "WaitingMessage",
    "WaitingTimer",
    "build_bundle",
    "called_processes",
    "cancel",
    "complete_task",
    "configure_cache",
    "content_hash",
    "decision_files",
    "deliver_message",
    "dmn_problems",
    "fire_due_timers",
    "process_ids",
    "references",
    "simulation_ids",
    "spiffworkflow_descriptor",
    "start",
    "start_by_message",
    "task_data",
    "validate_bundle",
]
