"""Firing due BPMN timers (SLA boundaries, review schedules) exactly once.

Rows of the ``timer`` projection that are due are claimed one at a time with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work without
firing one twice; the instance's version counter guards the step itself. A timer whose step fails — a
failing diagram, an unreadable stored state, any error of that one case — is marked ``failed`` (the error
is in the audit log, ``engine.error``) so it cannot hold up the others, and an administrator retries it
once mended; one that lost a race to another worker is simply left to it. A timer of a case that is no
longer running (withdrawn or finished while the timer row still waited) never steps it: it is cancelled,
audited. A backlog (timers that fell due while nothing ran) drains in one tick, up to its time budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, tuple_, update

from app import engine
from app.errors import CaseNotRunning, Conflict, NotAuthorized, NotFound, ProcessFailed
from app.extensions import db
from app.models import AuditEvent, ProcessInstance, Timer, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.cases.steps import run_step
from app.services.customers.master.directory import for_case
from app.services.shared import one_by_one
from app.services.shared.unit_of_work import unit_of_work


def _next_due(after: tuple[datetime, int] | None):
    """The first waiting timer due now, past ``after`` (the last one tried, by due time then id)."""
    query = (
        select(Timer)
        .where(Timer.status == "waiting", Timer.due_at <= utcnow())
        .order_by(Timer.due_at, Timer.id)
        .limit(1)
    )
    if after is not None:
        query = query.where(tuple_(Timer.due_at, Timer.id) > tuple_(*after))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def fire_due(limit: int | None = 500, *, seconds: float | None = None) -> int:
    """Fire the due timers in the order they fell due, each in its own transaction, until none is left,
    ``limit`` have been tried or ``seconds`` have passed (between two timers); returns how many fired.
    Each timer is tried once a call: one that failed or lost a race does not come round again."""
    fired = tried = 0
    after = None
    deadline = None if seconds is None else time.monotonic() + seconds
    while limit is None or tried < limit:
        if deadline is not None and tried and time.monotonic() >= deadline:  # one at least: progress
            break
        timer = _next_due(after)
        if timer is None:
            break
        after, tried = (timer.due_at, timer.id), tried + 1
        fired += _fire(timer)
    return fired


def _fire(timer: Timer) -> bool:
    """Fire one timer: its case steps on, or the timer is cancelled (the case no longer runs), left to the
    worker that moved the case first, or marked failed with its error audited, whatever the error."""
    timer_id, element = timer.id, timer.task_spec
    instance = db.session.get(ProcessInstance, timer.instance_id)
    assert instance is not None  # a timer's case: cases are never deleted
    instance_id, customer_id, process_id = instance.id, instance.customer_id, instance.process_id
    try:
        run_step(instance, None, lambda b, state: engine.fire_due_timers(b, state, for_case(instance)))
        return True
    except CaseNotRunning as refused:
        db.session.rollback()
        db.session.execute(
            update(Timer).where(Timer.id == timer_id, Timer.status == "waiting").values(status="cancelled")
        )
        audit.record(
            "timer.refused",
            None,
            instance_id=instance_id,
            customer_id=customer_id,
            timer_id=timer_id,
            element=element,
            status=instance.status,
            reason=refused.message,
        )
    except Conflict:
        db.session.rollback()  # another worker moved the instance first
        return False
    except ProcessFailed:
        db.session.rollback()  # its engine.error is recorded
        _mark_failed(timer_id)
    except Exception as exc:  # noqa: BLE001 - any failure of this case is this timer's, not the tick's
        why = one_by_one.failed("timer", timer_id, exc)
        audit.record(
            "engine.error",
            None,
            instance_id=instance_id,
            customer_id=customer_id,
            process_id=process_id,
            element=element,
            reason=why,
            timer_id=timer_id,
        )
        _mark_failed(timer_id)
    db.session.commit()
    return False


def _mark_failed(timer_id: int) -> None:
    db.session.execute(update(Timer).where(Timer.id == timer_id).values(status="failed"))


@dataclass(frozen=True)
class FailedTimer:
    """A failed timer as the administrator's page lists it: the timer, and the reason its case last failed
    (its latest ``engine.error``)."""

    timer: Timer
    reason: str | None

    def __getattr__(self, name: str):  # the timer's own columns (instance_id, task_spec, due_at...)
        if name.startswith("__") or name in ("timer", "reason"):
            raise AttributeError(name)
        return getattr(self.timer, name)


def failed(admin: User) -> list[FailedTimer]:
    """The timers whose step failed, each with why, for the administrator to retry."""
    _check_admin(admin)
    rows = list(db.session.scalars(select(Timer).where(Timer.status == "failed").order_by(Timer.due_at)))
    reasons: dict[int, str | None] = {}
    if rows:
        for instance_id, payload in db.session.execute(
            select(AuditEvent.instance_id, AuditEvent.payload)
            .where(
                AuditEvent.event_type == "engine.error",
                AuditEvent.instance_id.in_({t.instance_id for t in rows}),
            )
            .order_by(AuditEvent.id)
        ):
            reasons[instance_id] = (payload or {}).get("reason")  # the latest wins
    return [FailedTimer(t, reasons.get(t.instance_id)) for t in rows]


def retry(admin: User, timer_id: int) -> Timer:
    """Put a failed timer back in the queue: the next tick fires it again (audited)."""
    _check_admin(admin)
    timer = db.session.get(Timer, timer_id)
    if timer is None or timer.status != "failed":
        raise NotFound(_("No failed timer %(id)s.", id=timer_id))
    with unit_of_work():
        db.session.execute(
            update(Timer).where(Timer.id == timer.id, Timer.status == "failed").values(status="waiting")
        )
        instance = db.session.get(ProcessInstance, timer.instance_id)
        audit.record(
            "timer.retried",
            admin,
            instance_id=timer.instance_id,
            customer_id=instance.customer_id if instance else None,
            timer_id=timer.id,
            element=timer.task_spec,
        )
    db.session.refresh(timer)
    return timer


def _check_admin(user: User) -> None:
    if user.role != "admin":
        raise NotAuthorized(_("Only an administrator may retry timers."))
