"""One item's failure is that item's, never a stop for the others: a case whose stored state cannot be read
among many due timers (the others all fire; it is failed, audited, listed and retryable), a backlog larger
than a tick's old batch, an e-mail that cannot be written, a review that cannot start."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from app.extensions import db
from app.jobs.timers import tick
from app.models import AuditEvent, ProcessInstance, Timer
from app.models.base import utcnow
from app.services.cases import cases, steps, timers
from app.services.design.deployment import deployment

BPMN = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "timer_wait.bpmn"


def _due(count: int, officer) -> list[int]:
    """``count`` cases of timer_wait whose timers are due, the first the earliest."""
    deployment.deploy_files([BPMN])
    ids = [cases.start_case(officer, "timer_wait").id for _ in range(count)]
    for n, instance_id in enumerate(ids):
        db.session.execute(
            update(Timer)
            .where(Timer.instance_id == instance_id)
            .values(due_at=utcnow() - timedelta(hours=1) + timedelta(milliseconds=n))
        )
    db.session.commit()
    time.sleep(1.2)  # their timers (PT1S) fall due in the engine too
    return ids


def _status(ids: list[int]) -> dict[int, str]:
    db.session.expire_all()
    return dict(
        db.session.execute(select(Timer.instance_id, Timer.status).where(Timer.instance_id.in_(ids))).all()
    )


def test_one_unreadable_case_among_many_due_timers_fails_alone_and_the_others_all_fire(
    app, people, monkeypatch, login
):
    ids = _due(6, people.officer)
    first, corrupt, crashing = ids[0], ids[2], ids[4]
    # The case due first was stored by another serializer version; another's state is damaged JSON.
    state = db.session.get(ProcessInstance, first).state.replace(
        '"serializer_version":"c1-', '"serializer_version":"c0-'
    )
    db.session.execute(update(ProcessInstance).where(ProcessInstance.id == first).values(state=state))
    db.session.execute(
        update(ProcessInstance).where(ProcessInstance.id == corrupt).values(state='{"tasks": [1, 2')
    )
    db.session.commit()
    real = steps.apply_step

    def fails_for_one(instance, *args, **kwargs):  # a failure outside the engine, of this one case only
        if instance.id == crashing:
            raise KeyError("customer_name")
        return real(instance, *args, **kwargs)

    monkeypatch.setattr(steps, "apply_step", fails_for_one)

    assert timers.fire_due() == 3
    assert _status(ids) == {
        first: "failed",
        ids[1]: "fired",
        corrupt: "failed",
        ids[3]: "fired",
        crashing: "failed",
        ids[5]: "fired",
    }
    errors = {
        e.instance_id: e.payload
        for e in db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "engine.error"))
    }
    assert set(errors) == {first, corrupt, crashing}
    assert "stored state cannot be read" in errors[first]["reason"] and "c0-" in errors[first]["reason"]
    assert "stored state cannot be read" in errors[corrupt]["reason"]
    assert errors[crashing]["reason"] == "KeyError: 'customer_name'" and errors[crashing]["element"] == "wait"
    # Listed for the administrator, and retried once mended.
    failed = {t.instance_id: t for t in timers.failed(people.admin)}
    assert (
        set(failed) == {first, corrupt, crashing} and failed[crashing].reason == "KeyError: 'customer_name'"
    )
    page = login("admin").get("/admin/settings").get_data(as_text=True).split('id="failed-timers"')[1]
    assert all(f">#{i}</a>" in page for i in failed) and "stored state cannot be read" in page
    monkeypatch.setattr(steps, "apply_step", real)
    timers.retry(people.admin, failed[crashing].id)
    assert timers.fire_due() == 1
    assert _status([crashing]) == {crashing: "fired"}


def test_a_backlog_larger_than_a_batch_drains_in_one_tick(app, people):
    """Timers that fell due while nothing ran: more than the 500 a tick used to fire, all in the first tick."""
    ids = _due(503, people.officer)
    assert timers.fire_due(limit=2) == 2  # a call with a limit stops at it
    assert tick() == 501  # the tick goes on until none is due
    assert set(_status(ids).values()) == {"fired"}


def test_a_tick_past_its_budget_queues_the_next_at_once(app, people, monkeypatch):
    ids = _due(3, people.officer)
    monkeypatch.setitem(app.config, "TIMER_BUDGET_SECONDS", 0)
    monkeypatch.setitem(app.extensions["celery"].conf, "task_always_eager", False)
    queued = []
    monkeypatch.setattr(tick, "apply_async", lambda *a, **k: queued.append(a))
    assert tick() == 1  # one at least, however short the budget
    assert queued == [()]
    assert sorted(_status(ids).values()) == ["fired", "waiting", "waiting"]
