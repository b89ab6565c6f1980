"""What a step hands back to the services, and the two errors it raises.

Our own small dataclasses, never a SpiffWorkflow object: the user tasks now ready, the timers and
messages the case waits for, the decisions evaluated and the path the engine took.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    due_at: datetime | None = None  # when a boundary timer on the task fires (its SLA), if it has one
    item: Mapping[str, Any] | None = None  # of a multi-instance step: the record this instance works on


@dataclass(frozen=True)
class WaitingTimer:
    uuid: str
    spec_id: str
    due_at: datetime
    attached_to: str | None = None  # the task a boundary timer is on (an interrupting one cancels it)


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
