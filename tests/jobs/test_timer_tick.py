"""The timer tick fires due BPMN timers, once, through Celery (a real worker in CI's second run)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from app.extensions import db
from app.jobs.timers import tick
from app.models import AuditEvent, HumanTask, ProcessInstance, Timer
from app.models.base import utcnow
from app.services.cases import cases
from app.services.design.deployment import deployment

BPMN = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "timer_wait.bpmn"


def test_tick_fires_a_due_timer_once(app, people, celery_worker):
    deployment.deploy_files([BPMN])
    instance = cases.start_case(people.officer, "timer_wait")
    timer = db.session.scalar(select(Timer).where(Timer.instance_id == instance.id))
    assert timer is not None and timer.status == "waiting"

    assert tick.delay().get(timeout=60) == 0  # not due yet: nothing moves
    time.sleep(1.2)
    assert tick.delay().get(timeout=60) == 1
    assert tick.delay().get(timeout=60) == 0  # fired once only

    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.status == "completed" and instance.outcome == "fired"
    assert db.session.get(Timer, timer.id).status == "fired"
    fired = db.session.scalars(
        select(AuditEvent.event_type).where(AuditEvent.instance_id == instance.id)
    ).all()
    assert "engine.event_caught" in fired


SLA = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "sla_boundary.bpmn"


def test_an_interrupting_timer_cancels_the_open_task(app, people, celery_worker):
    deployment.deploy_files([SLA])
    instance = cases.start_case(people.officer, "sla_boundary")
    task = db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance.id))
    assert task.state == "ready" and instance.open_tasks == [task.task_uuid] and instance.waiting_timers == 1

    time.sleep(1.2)
    assert tick.delay().get(timeout=60) == 1

    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance.id)
    assert instance.outcome == "escalated" and instance.open_tasks == [] and instance.waiting_timers == 0
    assert db.session.get(HumanTask, task.id).state == "cancelled"
    trail = db.session.scalars(
        select(AuditEvent.event_type).where(AuditEvent.instance_id == instance.id).order_by(AuditEvent.id)
    ).all()
    assert "task.cancelled" in trail and "engine.timer_fired" in trail


FAILING = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "timer_fail.bpmn"


def test_a_failing_timer_is_set_aside_and_the_others_still_fire(app, people, celery_worker):
    deployment.deploy_files([FAILING, BPMN])
    bad = cases.start_case(people.officer, "timer_fail")
    good = cases.start_case(people.officer, "timer_wait")
    db.session.execute(
        update(Timer).where(Timer.instance_id == bad.id).values(due_at=utcnow() - timedelta(hours=1))
    )  # the failing one comes first
    db.session.commit()
    time.sleep(1.2)

    assert tick.delay().get(timeout=60) == 1

    db.session.expire_all()
    assert db.session.get(ProcessInstance, good.id).status == "completed"
    assert db.session.scalar(select(Timer.status).where(Timer.instance_id == bad.id)) == "failed"
    errors = db.session.scalars(
        select(AuditEvent.payload).where(AuditEvent.event_type == "engine.error")
    ).all()
    assert len(errors) == 1 and errors[0]["element"] == "mark"
    assert tick.delay().get(timeout=60) == 0  # not retried on every tick


def test_a_timer_the_engine_finds_not_yet_due_keeps_waiting(app, people, celery_worker):
    deployment.deploy_files([BPMN])
    instance = cases.start_case(people.officer, "timer_wait")
    # the projection says due (e.g. clocks of two machines disagree); the engine's own time says not yet
    db.session.execute(
        update(Timer).where(Timer.instance_id == instance.id).values(due_at=utcnow() - timedelta(minutes=5))
    )
    db.session.commit()
    tick.delay().get(timeout=60)
    db.session.expire_all()
    assert db.session.scalar(select(Timer.status).where(Timer.instance_id == instance.id)) == "waiting"
    assert db.session.get(ProcessInstance, instance.id).status == "running"
    time.sleep(1.2)
    tick.delay().get(timeout=60)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance.id).status == "completed"
