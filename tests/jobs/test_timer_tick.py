"""The timer tick fires due BPMN timers, once, through Celery (a real worker in CI's second run)."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.jobs.timers import tick
from app.models import AuditEvent, ProcessInstance, Timer
from app.services import cases, deployment

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
    fired = db.session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id == instance.id)).all()
    assert "engine.event_caught" in fired
