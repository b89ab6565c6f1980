"""The runtime: a workflow's life from stored state to the next step and back.

``steps`` holds what the services call (through ``app.engine``): start, complete a user task, cancel,
fire due timers, deliver a message. ``running`` runs the engine on a workflow, bounded; ``reading``
turns the workflow after a step into a ``StepResult`` (``results``); ``serialization`` is the stored
state's format and ``workflow_cache`` keeps the workflow a step left for the next one.

The engine's other rooms (instance migration, process-test simulation) run workflows the same way and
call the second group below; nothing outside ``app.engine`` should.
"""

from app.engine.runtime import serialization
from app.engine.runtime.reading import data_of, item_of, seen_by, step_result
from app.engine.runtime.results import (
    DecisionRecord,
    EngineError,
    ReadyTask,
    StepResult,
    TaskNotReady,
    WaitingMessage,
    WaitingTimer,
)
from app.engine.runtime.running import MAX_DEPTH, MAX_ENGINE_STEPS, Directory, restore, run, script_engine
from app.engine.runtime.serialization import SERIALIZER_VERSION, StateVersionError, UnreadableState
from app.engine.runtime.steps import (
    cancel,
    complete_task,
    deliver_message,
    fire_due_timers,
    set_output_item,
    start,
    start_by_message,
    task_data,
)
from app.engine.runtime.workflow_cache import configure as configure_cache

__all__ = [
    # for the services, through app.engine
    "SERIALIZER_VERSION",
    "DecisionRecord",
    "EngineError",
    "ReadyTask",
    "StateVersionError",
    "StepResult",
    "TaskNotReady",
    "UnreadableState",
    "WaitingMessage",
    "WaitingTimer",
    "cancel",
    "complete_task",
    "configure_cache",
    "deliver_message",
    "fire_due_timers",
    "start",
    "start_by_message",
    "task_data",
    # for the engine's own rooms (migration, simulation)
    "MAX_DEPTH",
    "MAX_ENGINE_STEPS",
    "Directory",
    "data_of",
    "item_of",
    "restore",
    "run",
    "script_engine",
    "seen_by",
    "serialization",
    "set_output_item",
    "step_result",
]
