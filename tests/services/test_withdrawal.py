"""Withdrawing a credit application before it is decided: an officer who works the case, with a reason;
audited; every open task cancelled and every timer with it; shown as withdrawn; never worked again (409)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, HumanTask, Notification, ProcessInstance, Timer
from app.services.cases import cases, tasks, withdrawal
from app.services.monitoring import observations, portfolio
from tests.factories import case_at, case_routed, compliance_sign_off, intake, open_task
from tests.workflows.test_warning_escalation import approved_customer

REASON = "客户已另行融资，撤回申请。"


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def events(case, event_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == case.id, AuditEvent.event_type == event_type)
        )
    )


def test_an_application_opened_and_abandoned_is_withdrawn_with_its_reason(deployed, people):
    case = case_at("intake", people.officer)
    intake_task = open_task(case.id, "application_intake")
    with pytest.raises(InvalidInput) as caught:
        withdrawal.withdraw(people.officer, case.id, "  ")
    assert set(caught.value.errors) == {"reason"}
    withdrawal.withdraw(people.officer, case.id, REASON)
    db.session.expire_all()
    case = db.session.get(ProcessInstance, case.id)
    assert (case.status, case.outcome, case.current_step, case.open_tasks) == (
        "withdrawn",
        "withdrawn",
        None,
        [],
    )
    assert db.session.get(HumanTask, intake_task.id).state == "cancelled"
    [event] = events(case, "instance.withdrawn")
    assert event.actor_id == people.officer.id and event.payload["reason"] == REASON
    assert len(events(case, "task.cancelled")) == 1 and events(case, "instance.completed") == []
    assert intake_task.id not in [t.id for t in tasks.my_tasks(people.officer).rows]


def test_a_case_waiting_for_its_approver_is_withdrawn_its_timer_cancelled_and_the_holder_told(
    deployed, people
):
    with time_machine.travel("2026-12-01 01:00:00+00:00", tick=False) as clock:
        case = case_routed("single", people.officer)  # a two-day sign-off time limit
        signoff = open_task(case.id, "approval_signoff")
        tasks.claim(people.approver1, signoff.id)
        clock.shift(timedelta(days=3))  # overdue, but the tick has not fired it yet
        withdrawal.withdraw(people.officer, case.id, REASON)
    db.session.expire_all()
    assert db.session.get(HumanTask, signoff.id).state == "cancelled"
    assert [t.status for t in db.session.scalars(select(Timer).where(Timer.instance_id == case.id))] == [
        "cancelled"
    ]
    [note] = db.session.scalars(select(Notification).where(Notification.kind == "withdrawn"))
    assert note.user_id == people.approver1.id and note.params["reason"] == REASON and note.task_id is None
    assert tasks.sign_off_inbox(people.approver1).rows == []


def test_a_withdrawn_case_cannot_be_worked_again(deployed, people):
    case = case_at("statements", people.officer)
    task = open_task(case.id, "financial_statements")
    withdrawal.withdraw(people.officer, case.id, REASON)
    for attempt in (
        lambda: tasks.complete(people.officer, task.id, {"statements": []}),
        lambda: tasks.claim(people.officer, task.id),
        lambda: tasks.open_task(people.officer, task.id),
        lambda: withdrawal.withdraw(people.officer, case.id, "again"),
    ):
        with pytest.raises(Conflict) as caught:
            attempt()
        assert case.reference in caught.value.message and "withdrawn" in caught.value.message
        assert REASON in caught.value.message
    assert len(events(case, "instance.withdrawn")) == 1


def test_a_decided_case_cannot_be_withdrawn(deployed, people):
    approved = case_routed("single", people.officer)
    tasks.complete(people.approver1, open_task(approved.id, "approval_signoff").id, {"decision": "approve"})
    with pytest.raises(Conflict, match="decided"):  # approved, waiting for compliance
        withdrawal.withdraw(people.officer, approved.id, REASON)
    compliance_sign_off(approved, people.compliance)
    with pytest.raises(Conflict, match="decided"):
        withdrawal.withdraw(people.officer, approved.id, REASON)
    rejected = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(rejected.id, "approval_signoff").id,
        {"decision": "reject", "comment": "风险过高"},
    )
    with pytest.raises(Conflict, match="decided"):
        withdrawal.withdraw(people.officer, rejected.id, REASON)


def test_only_an_officer_who_works_the_case_may_withdraw_it(deployed, people):
    case = case_routed("single", people.officer)
    for outsider in (people.approver1, people.officer2, people.compliance, people.risk):
        with pytest.raises(NotAuthorized):
            withdrawal.withdraw(outsider, case.id, REASON)
        assert not withdrawal.may_withdraw(outsider, case)
    assert withdrawal.may_withdraw(people.officer, case)
    # at intake the case is in the officers' queue: any officer may take it on, so may withdraw it
    fresh = case_at("intake", people.officer)
    assert withdrawal.may_withdraw(people.officer2, fresh)


def test_only_a_credit_application_is_withdrawn(deployed, people):
    customer = approved_customer(people)
    observations.record(
        people.officer, {"uscc": customer.uscc, "observed_on": "2026-01-05", "days_past_due": "45"}
    )
    portfolio.scan(people.risk)
    escalation = db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.process_id == "warning_escalation")
    )
    with pytest.raises(Conflict, match="Only a credit application"):
        withdrawal.withdraw(people.officer, escalation.id, REASON)


def test_a_withdrawal_that_lost_a_race_changes_nothing(deployed, people):
    case = case_at("intake", people.officer)
    seen = case.version
    tasks.complete(people.officer, open_task(case.id, "application_intake").id, intake())
    with pytest.raises(Conflict):
        withdrawal.withdraw(people.officer, case.id, REASON, expected_version=seen)
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case.id).status == "running"
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event_type == "instance.withdrawn")
        )
        == 0
    )


def test_withdrawn_cases_are_listed_as_such(deployed, people):
    case = case_at("statements", people.officer)
    withdrawal.withdraw(people.officer, case.id, REASON)
    assert [c.id for c in cases.list_cases(people.officer, status="withdrawn").rows] == [case.id]
    assert case.id not in [c.id for c in cases.list_cases(people.officer, status="running").rows]
