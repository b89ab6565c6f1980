"""Every kind of event the auditor relies on is a row with the right actor: the engine's (instance
started, task ready, gateway, decision, timer, message, error), people's (claim, unclaim, delegate,
complete, refusals) and administration (deployments, users, qualifications, imports, log-ins)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from app.errors import ProcessFailed
from app.extensions import db
from app.models import AuditEvent
from app.services.admin import settings, users
from app.services.cases import cases, delegation, tasks, timers
from app.services.design.deployment import deployment
from app.services.monitoring import imports
from tests.factories import PASSWORD, TIER1_CAPITAL, case_routed, open_task

FAILING = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "start_fail.bpmn"


def actors(event_type: str) -> set[str]:
    return set(db.session.scalars(select(AuditEvent.actor_name).where(AuditEvent.event_type == event_type)))


def test_each_event_type_is_recorded_with_its_actor(app, people, client):
    settings.set_amount(None, settings.TIER1_CAPITAL, TIER1_CAPITAL)
    deployment.deploy_files(actor=people.designer)
    assert actors("definition.deployed") == {"designer"}
    with time_machine.travel("2026-12-01 01:00:00+00:00", tick=False) as clock:
        case = case_routed("single", people.officer)
        signoff = open_task(case.id, "approval_signoff")
        tasks.claim(people.approver1, signoff.id)
        tasks.unclaim(people.approver1, signoff.id)
        tasks.claim(people.approver2, signoff.id)
        delegation.delegate(people.approver2, signoff.id, "approver3")
        clock.shift(timedelta(days=3))
        timers.fire_due()
    assert actors("instance.started") == {"officer"}
    assert {"officer", "system"} >= actors("task.ready") and "officer" in actors("task.ready")
    assert actors("task.completed") == {"officer"}
    assert {"approver1", "approver2"} <= actors("task.claimed") and actors("task.unclaimed") == {"approver1"}
    assert actors("task.delegated") == {"approver2"}
    assert "officer" in actors("engine.decision_evaluated") and "officer" in actors("engine.gateway_taken")
    assert actors("engine.timer_fired") == {"system"}  # nobody fired it: the timer tick did
    completed = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.completed"))
    assert completed.payload["data"] and completed.instance_id == case.id  # what was submitted, with the case

    users.create_user("new.officer", "officer", PASSWORD, actor=people.admin)
    assert "admin" in actors("user.created")
    client.post("/login", data={"username": "officer", "password": "wrong password"})
    client.post("/login", data={"username": "officer", "password": PASSWORD})
    failed = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "auth.login_failed"))
    assert failed.payload["username"] == "officer"  # nobody logged in: the name tried is in the row
    assert "officer" in actors("auth.login")
    imports.run(imports.upload(people.risk, "obs.csv", b"uscc,observed_on\n").id)
    assert actors("monitoring.import_uploaded") == {"risk"}

    deployment.deploy_files([FAILING])
    with pytest.raises(ProcessFailed):
        cases.start_case(people.officer, "start_fail")
    error = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "engine.error"))
    assert error.actor_name == "officer" and error.payload["element"]
