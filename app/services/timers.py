"""Firing due BPMN timers (SLA boundaries, review schedules) exactly once.

Rows of the ``timer`` projection that are due are claimed one at a time with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work without
firing one twice; the instance's version counter guards the step itself. A timer whose
step fails is marked ``failed`` (the error is in the audit log) so it cannot hold up the
others; one that lost a race to another worker is simply left to it.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app import engine
from app.errors import Conflict, ProcessFailed
from app.extensions import db
from app.models import ProcessInstance, Timer
from app.models.base import utcnow
from app.services.directory import DIRECTORY
from app.services.steps import run_step


def _next_due(skip: set[int]):
    query = (select(Timer).where(Timer.status == "waiting", Timer.due_at <= utcnow())
             .order_by(Timer.due_at).limit(1))
    if skip:
        query = query.where(Timer.id.not_in(skip))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def fire_due(limit: int = 500) -> int:
    """Fire up to ``limit`` due timers, each in its own transaction; returns how many fired."""
    fired, tried = 0, set()
    for _ in range(limit):
        timer = _next_due(tried)
        if timer is None:
            break
        tried.add(timer.id)
        instance = db.session.get(ProcessInstance, timer.instance_id)
        try:
            run_step(instance, None, lambda b, state: engine.fire_due_timers(b, state, DIRECTORY))
            fired += 1
        except Conflict:
            db.session.rollback()  # another worker moved the instance first
        except ProcessFailed:
            db.session.execute(update(Timer).where(Timer.id == timer.id).values(status="failed"))
            db.session.commit()
    return fired
