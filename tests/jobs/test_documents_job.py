"""A decided case's documents are rendered by a Celery job and kept with the case (a real worker in
CI's second run)."""

from __future__ import annotations

import time

from sqlalchemy import select

from app.extensions import db
from app.jobs.documents import keep_decided
from app.models import AuditEvent, CaseDocument
from app.services.cases import tasks
from tests import factories
from tests.factories import case_routed, compliance_sign_off, open_task


def kept(instance_id: int, wanted: int, timeout: float = 120) -> list[CaseDocument]:
    deadline = time.time() + timeout
    while True:
        db.session.expire_all()
        rows = list(db.session.scalars(select(CaseDocument).where(CaseDocument.instance_id == instance_id)))
        if len(rows) >= wanted or time.time() > deadline:
            return rows
        time.sleep(0.5)


def test_deciding_a_case_keeps_its_documents_through_the_job(app, people, celery_worker, monkeypatch):
    factories.deploy()
    monkeypatch.setitem(app.config, "DOCUMENTS_ON_DECISION", True)
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    assert kept(case.id, 1, timeout=0) == []  # approved by credit: not decided until compliance signs off
    compliance_sign_off(case, people.compliance)
    rows = kept(case.id, 4)
    assert sorted((r.kind, r.language) for r in rows) == [
        ("approval_certificate", "en"),
        ("approval_certificate", "zh_CN"),
        ("credit_memo", "en"),
        ("credit_memo", "zh_CN"),
    ]
    assert all(r.rendered_by_id is None and r.instance_version == case.version for r in rows)
    rendered = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.instance_id == case.id, AuditEvent.event_type == "document.rendered"
        )
    ).all()
    assert len(rendered) == 4 and all(e.actor_name == "system" for e in rendered)
    # asked again, the job keeps what it has: nothing new is rendered
    assert keep_decided.delay(case.id).get(timeout=120) == 4
    assert len(kept(case.id, 5, timeout=0)) == 4
