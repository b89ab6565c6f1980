"""Runs of a long job kept as rows (a model's training, a stress test): taken by one worker at a time, and queued
again when their worker is lost.

A run's row has ``status`` (queued | running | done | failed), ``attempted_at`` (when it was last queued or taken)
and ``attempts`` (how many times a worker took it).

- :func:`take` claims the run for the worker that calls it, in one statement: from ``queued`` (or the states
  given), or from ``running`` once ``lost_after`` has passed since it was taken — a job delivered twice runs once.
- :func:`mine` is the condition the run's last write adds (still running, and taken at the moment this worker
  took it): a worker that was taken over keeps nothing.
- :func:`revive` queues again the runs whose worker was lost (running, or queued with no worker taking it, past
  ``lost_after`` since last attempted) — a worker killed outright, whose job the broker has dropped — and fails a
  run taken ``MAX_ATTEMPTS`` times (one that kills its worker every time). Called where the runs are looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import db
from app.models.base import utcnow
from app.services.shared import dispatch
from app.services.shared.rows import rowcount

MAX_ATTEMPTS = 3


def take(
    model: Any, run_id: int, lost_after: timedelta, takeable: tuple[str, ...] = ("queued",)
) -> datetime | None:
    """Claim the run for this worker (module docstring); the moment it was taken, or None when it was not."""
    now = utcnow()
    taken = rowcount(
        db.session.execute(
            update(model)
            .where(
                model.id == run_id,
                or_(
                    model.status.in_(takeable),
                    and_(model.status == "running", model.attempted_at < now - lost_after),
                ),
            )
            .values(status="running", attempted_at=now, attempts=model.attempts + 1)
            # not evaluated on the objects in memory: a stale one would be set running when no row was taken
            .execution_options(synchronize_session=False)
        )
    )
    db.session.commit()
    return now if taken else None


def mine(model: Any, run_id: int, taken_at: datetime) -> ColumnElement[bool]:
    """The run is still this worker's: running, and taken when it took it."""
    return and_(model.id == run_id, model.status == "running", model.attempted_at == taken_at)


def revive(model: Any, lost_after: timedelta, job: str, fail: Callable[[Any], None]) -> int:
    """Queue again (or fail, past ``MAX_ATTEMPTS``) the runs whose worker was lost; how many."""
    lost = list(
        db.session.scalars(
            select(model).where(
                model.status.in_(("queued", "running")), model.attempted_at < utcnow() - lost_after
            )
        )
    )
    for run in lost:
        if run.attempts >= MAX_ATTEMPTS:
            fail(run)
            continue
        run.status, run.attempted_at = "queued", utcnow()
        dispatch.enqueue(job, run.id)
    if lost:
        db.session.commit()
    return len(lost)
