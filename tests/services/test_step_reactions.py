"""What other rooms do when a case takes a step runs as listeners in one fixed order, registered in the app
factory; the decided case's documents are queued by the step itself, however the case was decided (not only
when a person completes the last task)."""

from __future__ import annotations

from app import engine
from app.extensions import db
from app.models import ProcessInstance, QueuedJob
from app.services.admin.demo import COMPLIANT
from app.services.cases import tasks
from app.services.cases.reactions import EXTENSION
from app.services.cases.steps import run_step
from app.services.customers.master.directory import for_case
from app.services.shared import dispatch
from tests.factories import case_routed, open_task


def test_the_listeners_run_in_one_fixed_order_with_the_customer_first_and_jobs_last(app):
    assert app.extensions[EXTENSION].order() == [
        "customers.sync_from_case",
        "attachments.link_to_customer",
        "risk_controls.after_step",
        "reviews.after_step",
        "collateral.after_step",
        "inspections.after_step",
        "case_library.after_step",
        "notifications.after_step",
        "staffing.after_step",
        "inspections.check_findings",
        "case_library.queue_analyses",
        "documents.keep_decided",
    ]


def test_a_case_decided_without_a_person_queues_its_documents(app, people, deployed, no_worker, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENTS_ON_DECISION", True)
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    assert dispatch.unsent() == []  # not decided yet: nothing queued
    last = open_task(case.id, "compliance_checklist").task_uuid
    instance = db.session.get(ProcessInstance, case.id)
    run_step(
        instance,
        None,
        lambda bundle, state: engine.complete_task(bundle, state, last, COMPLIANT, for_case(instance)),
    )
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).status == "completed"
    assert [(job.task, job.args) for job in db.session.query(QueuedJob)] == [
        (dispatch.KEEP_DECIDED, [case.id])
    ]


def test_no_documents_are_queued_when_the_bank_keeps_none(app, people, deployed, no_worker, monkeypatch):
    monkeypatch.setitem(app.config, "DOCUMENTS_ON_DECISION", False)
    case = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
    tasks.complete(people.compliance, open_task(case.id, "compliance_checklist").id, COMPLIANT)
    assert db.session.get(ProcessInstance, case.id).status == "completed" and dispatch.unsent() == []
