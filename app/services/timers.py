"""Firing due BPMN timers (SLA boundaries, review schedules) exactly once.

Rows of the ``timer`` projection that are due are claimed one at a time with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work without
firing one twice; the instance's version counter guards the step itself. A timer whose
step fails is marked ``failed`` (the error is in the audit log) so it cannot hold up the
others; one that lost a race to another worker is simply left to it. A timer of a case that is no longer
running (withdrawn or finished while the timer row still waited) never steps it: it is cancelled, audited.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, update

from app import engine
from app.errors import CaseNotRunning, Conflict, NotAuthorized, NotFound, ProcessFailed
from app.extensions import db
from app.models import ProcessInstance, Timer, User
from app.models.base import utcnow
from app.services import audit
from app.services.directory import for_case
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
    for _attempt in range(limit):
        timer = _next_due(tried)
        if timer is None:
            break
        tried.add(timer.id)
        instance = db.session.get(ProcessInstance, timer.instance_id)
        try:
            run_step(instance, None, lambda b, state, case=instance: engine.fire_due_timers(b, state, for_case(case)))
            fired += 1
        except CaseNotRunning as refused:
            db.session.rollback()
            db.session.execute(update(Timer).where(Timer.id == timer.id, Timer.status == "waiting")
                               .values(status="cancelled"))
            audit.record("timer.refused", None, instance_id=instance.id, customer_id=instance.customer_id,
                         timer_id=timer.id, element=timer.task_spec, status=instance.status, reason=refused.message)
            db.session.commit()
        except Conflict:
            db.session.rollback()  # another worker moved the instance first
        except ProcessFailed:
            db.session.execute(update(Timer).where(Timer.id == timer.id).values(status="failed"))
            db.session.commit()
    return fired


def failed(admin: User) -> list[Timer]:
    """The timers whose step failed (their error is in the audit log), for the administrator to retry."""
    _check_admin(admin)
    return list(db.session.scalars(select(Timer).where(Timer.status == "failed").order_by(Timer.due_at)))


def retry(admin: User, timer_id: int) -> Timer:
    """Put a failed timer back in the queue: the next tick fires it again (audited)."""
    _check_admin(admin)
    timer = db.session.get(Timer, timer_id)
    if timer is None or timer.status != "failed":
        raise NotFound(_("No failed timer %(id)s.", id=timer_id))
    db.session.execute(update(Timer).where(Timer.id == timer.id, Timer.status == "failed").values(status="waiting"))
    instance = db.session.get(ProcessInstance, timer.instance_id)
    audit.record("timer.retried", admin, instance_id=timer.instance_id,
                 customer_id=instance.customer_id if instance else None, timer_id=timer.id, element=timer.task_spec)
    db.session.commit()
    db.session.refresh(timer)
    return timer


def _check_admin(user: User) -> None:
    if user.role != "admin":
        raise NotAuthorized(_("Only an administrator may retry timers."))
