"""The engine steps only a running case: every way a case is moved (a task submitted, a timer fired, a message
delivered) goes through ``steps.run_step``, which refuses a withdrawn or finished case naming why (409) and
changes nothing — a timer row left waiting on a withdrawn case is cancelled, never fired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import engine
from app.errors import CaseNotRunning
from app.extensions import db
from app.models import AuditEvent, ProcessInstance, Timer
from app.models.base import utcnow
from app.services.approval import staffing
from app.services.cases import tasks, timers, withdrawal
from app.services.cases.steps import run_step
from app.services.customers.master.directory import for_case
from tests.factories import case_at, case_routed, compliance_sign_off, open_task, review, snapshot
from tests.web.test_pages import text_of

REASON = "客户已另行融资，撤回申请。"


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_a_task_submitted_on_a_withdrawn_case_is_refused_on_the_page_and_in_the_service(
    deployed, people, login
):
    case = case_at("review", people.officer)
    proposal = open_task(case.id, "review_proposal")
    withdrawal.withdraw(people.officer, case.id, REASON)
    before = snapshot(case.id)
    with pytest.raises(CaseNotRunning) as refused:
        tasks.complete(people.officer, proposal.id, review(case))
    assert "was withdrawn by" in refused.value.message and REASON in refused.value.message
    page = login("officer").post(f"/tasks/{proposal.id}", data={"officer_opinion": "仍然建议授信。"})
    assert page.status_code == 409 and REASON in text_of(page)
    after = snapshot(case.id)  # (the page records the refusal it showed)
    assert (after.version, after.task_rows, after.tasks) == (before.version, before.task_rows, before.tasks)


def test_a_timer_left_waiting_on_a_withdrawn_case_is_cancelled_not_fired(deployed, people):
    case = case_routed("single", people.officer)  # its sign-off has a time limit: a waiting timer
    withdrawal.withdraw(people.officer, case.id, REASON)
    [timer] = db.session.scalars(select(Timer).where(Timer.instance_id == case.id))
    timer.status, timer.due_at = (
        "waiting",
        utcnow() - timedelta(hours=1),
    )  # as if the withdrawal had missed it
    db.session.commit()
    before = snapshot(case.id)
    assert timers.fire_due() == 0
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).status == "withdrawn"  # not made "running" again
    assert db.session.get(Timer, timer.id).status == "cancelled"
    refused = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "timer.refused"))
    assert refused.instance_id == case.id and refused.payload["status"] == "withdrawn"
    after = snapshot(case.id)
    assert (after.version, after.task_rows, after.tasks) == (before.version, before.task_rows, before.tasks)


def test_a_message_to_a_completed_case_is_refused(deployed, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(case, people.compliance)
    assert case.status == "completed"
    before = snapshot(case.id)
    with pytest.raises(CaseNotRunning) as refused:
        run_step(
            case,
            None,
            lambda b, state: engine.deliver_message(b, state, staffing.MESSAGE, {}, for_case(case)),
        )
    assert "finished at" in refused.value.message and "(Approved)" in refused.value.message
    assert snapshot(case.id) == before
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).status == "completed"
