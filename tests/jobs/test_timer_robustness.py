"""Timers run for real: each due timer fires once with two workers at it, a fire that crashed half-way
fires again cleanly on the next tick, and timers that fell due while nothing ran all fire on the first
tick after (a real worker in CI's second run)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.timers import tick
from app.models import AuditEvent, ProcessInstance, Timer
from app.services.cases import cases, steps, timers
from app.services.design.deployment import deployment

BPMN = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "timer_wait.bpmn"


def _waiting(count: int, officer) -> list[int]:
    deployment.deploy_files([BPMN])
    ids = [cases.start_case(officer, "timer_wait").id for _ in range(count)]
    time.sleep(1.2)  # their timers (PT1S) fall due
    return ids


def _fired_per_instance(ids: list[int]) -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(AuditEvent.instance_id, func.count())
        .where(AuditEvent.instance_id.in_(ids), AuditEvent.event_type == "engine.event_caught")
        .group_by(AuditEvent.instance_id)
    ).all()
    return dict(rows)


def test_two_workers_at_the_same_timers_fire_each_once(app, people):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("two connections at once need a server database (CI's PostgreSQL run)")
    ids = _waiting(6, people.officer)
    fired: list[int] = []

    def worker():
        with app.app_context():
            fired.append(timers.fire_due())
            db.session.remove()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert sum(fired) == 6
    assert _fired_per_instance(ids) == dict.fromkeys(ids, 1)
    assert {
        i.status for i in db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))
    } == {"completed"}


def test_a_fire_that_crashed_half_way_leaves_nothing_and_fires_once_on_the_next_tick(
    app, people, monkeypatch
):
    [instance_id] = _waiting(1, people.officer)
    real = steps.apply_step

    class WorkerDied(BaseException):
        """The process ends (killed, its time limit): nothing of the step is caught or recorded."""

    def crash(*args, **kwargs):
        real(*args, **kwargs)
        raise WorkerDied("the worker died before commit")

    monkeypatch.setattr(steps, "apply_step", crash)
    with pytest.raises(WorkerDied):
        timers.fire_due()
    db.session.rollback()
    monkeypatch.setattr(steps, "apply_step", real)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, instance_id).status == "running"
    assert db.session.scalar(select(Timer.status).where(Timer.instance_id == instance_id)) == "waiting"
    assert timers.fire_due() == 1
    assert _fired_per_instance([instance_id]) == {instance_id: 1}


def test_timers_that_fell_due_while_nothing_ran_all_fire_on_the_first_tick(app, people, celery_worker):
    ids = _waiting(5, people.officer)  # "downtime": due, and nobody ticked
    assert tick.delay().get(timeout=60) == 5
    assert tick.delay().get(timeout=60) == 0
    assert _fired_per_instance(ids) == dict.fromkeys(ids, 1)
