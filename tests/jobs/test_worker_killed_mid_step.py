"""A worker killed in the middle of a step: the timer tick is firing five due timers when, in the third case's
step, after the engine moved the case and its rows were flushed, the process dies. Simulated in the test's own
process: a ``SystemExit`` (a ``BaseException``, which no ``except Exception`` of the app nor Celery's task
tracer takes for a failure of the task) unwinds the tick, and the transaction ends uncommitted, as a dead
process's does on the server.

What must hold: nothing of that step is stored (its timer still waiting, not failed; its case not moved; no
audit row of it, not even an ``engine.error``: a kill is not the case's fault); the timers fired before the kill
stay fired; the job run again (as the next tick, or a redelivery, runs it) fires the killed case's timer once
and the ones not reached yet; and every case's timer fired exactly once across both runs, audited once.

Why not a real worker killed by SIGKILL: the kill must land inside one chosen step, which needs a hook in the
worker's process, and CI's worker is shared by the whole session (a new one takes seconds to answer a ping);
the tick is not ``acks_late`` either: what takes a killed tick's work up is the next tick, which this test runs.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.jobs.timers import tick
from app.models import AuditEvent, ProcessInstance, Timer
from app.services.cases import cases, steps
from app.services.design.deployment import deployment
from tests.jobs.test_timer_robustness import BPMN, _fired_per_instance


def _due(count: int, officer) -> list[int]:
    """``count`` cases of timer_wait whose timers are due, in the order they fall due."""
    deployment.deploy_files([BPMN])
    ids = [cases.start_case(officer, "timer_wait").id for _ in range(count)]
    time.sleep(1.2)  # their timers (PT1S) fall due
    return ids


def _timers(ids: list[int]) -> dict[int, str]:
    db.session.expire_all()
    return dict(
        db.session.execute(select(Timer.instance_id, Timer.status).where(Timer.instance_id.in_(ids))).all()
    )


def _audited(instance_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == instance_id)
    )


def test_a_worker_killed_mid_step_leaves_that_step_undone_and_the_next_tick_fires_each_timer_once(
    app, people, monkeypatch
):
    ids = _due(5, people.officer)
    killed = ids[2]
    audited_before = _audited(killed)
    real = steps.apply_step
    moved: list[int] = []

    def dies_in_the_third(instance, *args, **kwargs):
        changes = real(instance, *args, **kwargs)
        db.session.flush()  # the step's rows are written, not committed
        if instance.id == killed and not moved:
            moved.append(db.session.get(ProcessInstance, killed).status)
            raise SystemExit("the worker was killed mid-step")
        return changes

    monkeypatch.setattr(steps, "apply_step", dies_in_the_third)

    with pytest.raises(SystemExit):
        tick()
    db.session.rollback()  # the dead process's connection: the server ends its transaction uncommitted

    assert moved == ["completed"]  # the engine had moved the case when the worker died
    assert _timers(ids) == {
        ids[0]: "fired",
        ids[1]: "fired",
        killed: "waiting",
        ids[3]: "waiting",
        ids[4]: "waiting",
    }
    assert db.session.get(ProcessInstance, killed).status == "running"
    assert (
        _audited(killed) == audited_before
    )  # nothing of the step, and no engine.error: not the case's fault
    assert _fired_per_instance(ids) == {ids[0]: 1, ids[1]: 1}

    assert tick() == 3  # the job run again: the killed case's timer, and those not reached
    assert tick() == 0

    assert set(_timers(ids).values()) == {"fired"}
    assert _fired_per_instance(ids) == dict.fromkeys(ids, 1)  # each once across both runs
    assert {
        i.status for i in db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))
    } == {"completed"}
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event_type == "engine.error")
        )
        == 0
    )
