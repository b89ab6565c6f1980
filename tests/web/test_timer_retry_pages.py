"""A timer whose step failed waits for the administrator, who retries it once the cause is mended."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from app.extensions import db
from app.models import AuditEvent, Timer
from app.models.base import utcnow
from app.services.cases import cases, timers
from app.services.design.deployment import deployment
from tests.web.test_pages import text_of

FAILING = Path(__file__).resolve().parents[1] / "data" / "bpmn" / "timer_fail.bpmn"


def test_the_administrator_sees_a_failed_timer_and_retries_it(as_user, people):
    deployment.deploy_files([FAILING])
    case = cases.start_case(people.officer, "timer_fail")
    db.session.execute(
        update(Timer).where(Timer.instance_id == case.id).values(due_at=utcnow() - timedelta(hours=1))
    )
    db.session.commit()
    time.sleep(1.2)  # its one second passes
    timers.fire_due()
    timer = db.session.scalar(select(Timer).where(Timer.instance_id == case.id))
    assert timer.status == "failed"
    admin = as_user("admin")
    page = text_of(admin.get("/admin/settings"))
    assert 'id="failed-timers"' in page and f"<code>{timer.task_spec}</code>" in page
    assert (
        "<title>" in page and 'id="qualifications"' in page.split("<main")[1]
    )  # the sections are on the page
    assert as_user("officer").post(f"/admin/timers/{timer.id}/retry").status_code == 403
    assert admin.post(f"/admin/timers/{timer.id}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(Timer, timer.id).status == "waiting"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "timer.retried"))
    assert event.actor_name == "admin" and event.instance_id == case.id
    assert admin.post(f"/admin/timers/{timer.id}/retry").status_code == 404  # not failed any more
