"""The broker away: a step that took effect is answered as done and its job is not lost (the job outbox).

The broker is made unreachable where Celery meets the network (kombu's publish raising the error a closed
port gives), with jobs sent to a broker as in production (not run inline)."""

from __future__ import annotations

import io

import pytest
from kombu import Producer
from kombu.exceptions import OperationalError
from sqlalchemy import func, select

from app.extensions import db
from app.models import CaseDocument, MonitoringImport, Observation, ProcessInstance, QueuedJob
from app.services.admin import users
from app.services.admin.demo import COMPLIANT
from app.services.cases import tasks
from app.services.shared import dispatch
from tests.factories import case_routed, open_task
from tests.services.test_imports import HEADER, customers


@pytest.fixture
def broker_down(app, monkeypatch):
    """Jobs go to a broker, which refuses the connection; ``back()`` brings it back (jobs then run here)."""
    celery = app.extensions["celery"]
    monkeypatch.setitem(celery.conf, "task_always_eager", False)
    tried = []

    def refused(self, *args, **kwargs):
        tried.append(kwargs.get("routing_key"))
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(Producer, "publish", refused)

    def back():
        monkeypatch.undo()
        monkeypatch.setitem(app.config, "OUTBOX_SWEEP_SECONDS", 0)  # what is due now is sent
        monkeypatch.setitem(celery.conf, "task_always_eager", True)  # the returning worker, here

    return back


def test_a_sign_off_with_the_broker_away_is_done_and_its_documents_job_is_sent_when_it_returns(
    app, client, people, deployed, broker_down, monkeypatch
):
    monkeypatch.setitem(app.config, "DOCUMENTS_ON_DECISION", True)
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    token = users.issue_token("compliance")
    answered = client.post(
        f"/api/v1/tasks/{open_task(case.id, 'compliance_checklist').id}/complete",
        json={"data": COMPLIANT},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answered.status_code == 200, answered.get_data(as_text=True)  # was a 500 after the commit
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).status == "completed"
    [job] = dispatch.unsent()
    assert (job.task, job.args, job.attempts) == (dispatch.KEEP_DECIDED, [case.id], 1)
    assert "Connection refused" in job.last_error
    assert dispatch.sweep() == 0  # still away: it stays queued
    broker_down()
    assert dispatch.sweep() == 1
    assert dispatch.unsent() == []
    kinds = db.session.scalars(select(CaseDocument.kind).where(CaseDocument.instance_id == case.id)).all()
    assert sorted(kinds) == ["approval_certificate", "approval_certificate", "credit_memo", "credit_memo"]


def test_a_large_import_with_the_broker_away_is_queued_and_imported_when_it_returns(
    app, as_user, people, broker_down, monkeypatch
):
    made = customers(3)
    monkeypatch.setitem(app.config, "IMPORT_INLINE_BYTES", 0)
    rows = "\n".join(f"{c.uscc},2026-01-{day:02d},50,0,0,0,no," for c in made for day in (1, 2))
    posted = as_user("officer").post(
        "/monitoring",
        data={"file": (io.BytesIO(f"{HEADER}\n{rows}\n".encode()), "big.csv")},
        content_type="multipart/form-data",
    )
    assert posted.status_code == 302
    job = db.session.scalar(select(MonitoringImport))
    assert job.status == "queued" and [j.task for j in dispatch.unsent()] == [dispatch.RUN_IMPORT]
    broker_down()
    dispatch.sweep()
    db.session.expire_all()
    assert db.session.get(MonitoringImport, job.id).status == "done"
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 6


def test_a_job_rolled_back_with_its_step_is_never_sent(app, people, monkeypatch):
    sent = []
    monkeypatch.setattr(dispatch, "_send_all", lambda rows, **kwargs: sent.extend(rows) or 0)
    dispatch.enqueue(dispatch.KEEP_DECIDED, 1)
    db.session.rollback()
    assert sent == [] and db.session.scalar(select(func.count()).select_from(QueuedJob)) == 0
    with pytest.raises(LookupError):
        dispatch.enqueue("app.jobs.no_such_job")
