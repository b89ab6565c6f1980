"""Due dates of tasks (SLA): the due time comes from the interrupting timer on the task (its duration
from ``rules/approval_sla.dmn``); the task shows as near its due time once the table's
``sla_warn_share`` of the time is left, and as overdue after it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.models.base import utcnow

WARN_SHARE_VARIABLE = "sla_warn_share"
STATES = ("overdue", "near", "on_time")


def warn_at(created_at: datetime, due_at: datetime | None, data: dict[str, Any]) -> datetime | None:
    """When a task created at ``created_at`` and due at ``due_at`` starts to show as near its due time."""
    try:
        share = float(data[WARN_SHARE_VARIABLE])
    except (KeyError, TypeError, ValueError):
        return None
    if due_at is None or not 0 < share < 1:
        return None
    return due_at - (due_at - created_at) * share


def state_of(due_at: datetime | None, warn: datetime | None, now: datetime | None = None) -> str | None:
    """overdue, near or on_time; None for a task without a due time."""
    if due_at is None:
        return None
    now = now or utcnow()
    if now >= due_at:
        return "overdue"
    if warn is not None and now >= warn:
        return "near"
    return "on_time"
