"""Post-loan inspection visits (workflows/post_loan_inspection.bpmn): planned by rules/inspection_frequency.dmn,
opened by the beat once per customer, recorded by the officer and signed off by a manager (or returned for
revision); an overdue one escalates with the officer's task kept; a finding the warning rules name raises a
warning for that customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, EarlyWarning, HumanTask, Inspection, Notification, ProcessInstance
from app.services.cases import tasks, timers
from app.services.customers.inspections import ad_hoc, planning
from app.services.monitoring import portfolio
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

TODAY = local_today


def visit(**changes) -> dict:
    """What an officer records after a visit: normal operations, funds used as agreed, one low finding."""
    return {
        "visited_on": TODAY().isoformat(),
        "visit_mode": "on_site",
        "people_met": "陈建国（财务负责人）",
        "operations": "生产正常，订单饱满。",
        "premises": "厂房正常使用。",
        "use_of_funds": "贷款资金已支付给原材料供应商，合同、发票齐全。",
        "funds_match_purpose": "matches",
        "collateral_seen": "seen",
        "collateral_state": "抵押厂房完好，正常使用。",
        "findings": [{"severity": "low", "area": "operations", "text": "库存略有上升，需持续关注。"}],
        "conclusion": "资金用途与约定一致，经营正常。",
        **changes,
    }


def inspection_of(case_id: int) -> Inspection:
    db.session.expire_all()
    return db.session.scalar(select(Inspection).where(Inspection.instance_id == case_id))


def opened(people) -> tuple[int, int]:
    """A customer with a facility drawn today, and the first inspection the beat opened for it."""
    customer = approved_customer(people)
    [case_id] = planning.start_due()
    return customer.id, case_id


def test_a_drawdown_opens_its_first_inspection_once_due_in_15_days_for_its_officer(deployed, people):
    customer, case_id = opened(people)
    assert planning.start_due() == []  # under way: not opened twice, nothing else planned
    inspection = inspection_of(case_id)
    assert (inspection.kind, inspection.status, inspection.customer_id) == ("first", "open", customer)
    assert inspection.due_on == TODAY() + timedelta(days=15) and inspection.facility_id is not None
    assert inspection.rule_id == "Rule_inspection_frequency_01"
    task = ready(case_id, "record_visit")
    assert task.assignee_id == people.officer.id and task.due_at is not None  # the due date shows on the task
    case = db.session.get(ProcessInstance, case_id)
    assert case.reference.startswith("PI-") and case.customer_id == customer
    assert case.summary["purpose"] == "流动资金周转"  # the agreed purpose, from the application's intake
    assert case.summary["inspection_kind"] == "first"


def test_two_beats_at_once_open_one_inspection(deployed, people):
    approved_customer(people)
    planning.plan(TODAY())
    [planned] = db.session.scalars(select(Inspection.id)).all()
    first = planning.open_planned(planned, None)
    with pytest.raises(Conflict):  # the other beat, a moment later, with the row it read before
        planning.open_planned(planned, None)
    db.session.rollback()
    assert db.session.scalars(
        select(ProcessInstance.id).where(ProcessInstance.process_id == "post_loan_inspection")
    ).all() == [first.id]
    with pytest.raises(IntegrityError):  # the database holds one open inspection per customer
        db.session.add(
            Inspection(
                customer_id=first.customer_id,
                kind="scheduled",
                status="planned",
                opens_on=TODAY(),
                due_on=TODAY(),
            )
        )
        db.session.flush()
    db.session.rollback()


def test_signed_off_it_plans_the_next_by_the_table_and_keeps_the_record(deployed, people):
    customer, case_id = opened(people)
    tasks.complete(people.officer, ready(case_id, "record_visit").id, visit())
    inspection = inspection_of(case_id)
    assert inspection.status == "submitted" and inspection.worst_severity == "low"
    assert (
        inspection.record["funds_match_purpose"] == "matches"
        and inspection.visited_by_id == people.officer.id
    )
    sign_off = ready(case_id, "sign_off_inspection")
    assert sign_off.lane == "approver"
    tasks.complete(
        people.approver1, sign_off.id, {"signoff_decision": "sign_off", "signoff_comment": "同意。"}
    )
    inspection = inspection_of(case_id)
    assert (inspection.status, inspection.signed_off_by_id) == ("signed_off", people.approver1.id)
    assert db.session.get(ProcessInstance, case_id).outcome == "reviewed"
    following = db.session.scalar(select(Inspection).where(Inspection.status == "planned"))
    assert following.kind == "scheduled" and following.due_on == TODAY() + timedelta(days=180)  # grade A
    assert following.opens_on == following.due_on - timedelta(days=30)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "inspection.signed_off"))
    assert db.session.scalar(select(EarlyWarning)) is None  # a low finding raises nothing


def test_a_return_sends_it_back_to_the_officer_with_the_fields_to_fix(deployed, people):
    _customer, case_id = opened(people)
    tasks.complete(people.officer, ready(case_id, "record_visit").id, visit())
    tasks.complete(
        people.approver1,
        ready(case_id, "sign_off_inspection").id,
        {
            "signoff_decision": "return",
            "signoff_comment": "请补充资金流水核对情况。",
            "fields_to_fix": ["use_of_funds"],
        },
    )
    inspection = inspection_of(case_id)
    assert (inspection.status, inspection.returned_count) == ("returned", 1)
    assert inspection.return_comment == "请补充资金流水核对情况。"
    revise = ready(case_id, "revise_visit")
    assert revise.assignee_id == people.officer.id
    tasks.complete(
        people.officer, revise.id, visit(use_of_funds="已核对银行流水：资金全部支付给两家供应商。")
    )
    assert inspection_of(case_id).status == "submitted"
    tasks.complete(
        people.approver1, ready(case_id, "sign_off_inspection").id, {"signoff_decision": "sign_off"}
    )
    assert inspection_of(case_id).record["use_of_funds"].startswith("已核对银行流水")


def test_a_return_without_a_comment_or_fields_is_refused_naming_them(deployed, people):
    _customer, case_id = opened(people)
    tasks.complete(people.officer, ready(case_id, "record_visit").id, visit())
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(
            people.approver1, ready(case_id, "sign_off_inspection").id, {"signoff_decision": "return"}
        )
    assert {"signoff_comment", "fields_to_fix"} <= set(refused.value.errors)


def test_the_record_is_checked_the_visit_date_and_diverted_funds(deployed, people):
    _customer, case_id = opened(people)
    task = ready(case_id, "record_visit")
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(people.officer, task.id, visit(visited_on=(TODAY() + timedelta(days=1)).isoformat()))
    assert "visited_on" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(people.officer, task.id, visit(visited_on=(TODAY() - timedelta(days=3)).isoformat()))
    assert "visited_on" in refused.value.errors  # before the drawdown it traces
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(people.officer, task.id, visit(funds_match_purpose="diverted"))
    assert "findings" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        tasks.complete(
            people.officer,
            task.id,
            visit(findings=[{"severity": "grave", "area": "operations", "text": "x"}]),
        )
    assert "findings-0-severity" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:  # collateral seen: its state is required
        tasks.complete(people.officer, task.id, {**visit(), "collateral_state": None})
    assert "collateral_state" in refused.value.errors
    assert inspection_of(case_id).status == "open"


def test_an_overdue_inspection_escalates_to_the_managers_and_the_officer_still_records_it(deployed, people):
    with time_machine.travel(TODAY().isoformat() + " 02:00:00+00:00", tick=False) as clock:
        _customer, case_id = opened(people)
        task = ready(case_id, "record_visit")
        clock.shift(timedelta(days=16))  # due in 15 days: the day after, in Beijing
        assert timers.fire_due() == 1
        db.session.expire_all()
        assert db.session.get(HumanTask, task.id).state == "ready"  # the officer's task stays
        inspection = inspection_of(case_id)
        assert inspection.escalated_at is not None and inspection.overdue_on(local_today())
        told = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
        assert (people.officer.id, "inspection_overdue") in told
        assert {u for u, kind in told if kind == "inspection_escalated"}  # the managers of its relationship
        tasks.complete(people.officer, task.id, visit())
        tasks.complete(
            people.approver1, ready(case_id, "sign_off_inspection").id, {"signoff_decision": "sign_off"}
        )
    assert inspection_of(case_id).status == "signed_off"


def test_a_serious_finding_raises_a_warning_for_the_customer_once(deployed, people, jobs_here):
    customer, case_id = opened(people)
    tasks.complete(
        people.officer,
        ready(case_id, "record_visit").id,
        visit(
            funds_match_purpose="diverted",
            findings=[{"severity": "high", "area": "use_of_funds", "text": "贷款资金转入关联企业账户。"}],
        ),
    )
    tasks.complete(
        people.approver1, ready(case_id, "sign_off_inspection").id, {"signoff_decision": "sign_off"}
    )
    db.session.expire_all()
    [warning] = db.session.scalars(select(EarlyWarning)).all()
    assert (warning.customer_id, warning.code, warning.severity) == (
        customer,
        "inspection_finding_serious",
        "high",
    )
    assert warning.observed_on == TODAY() and warning.instance_id is not None  # its escalation started
    assert portfolio.scan(people.risk).raised == []  # the daily check raises nothing twice


def test_an_inspection_started_from_a_warning_answers_it_and_a_closed_one_is_refused(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY() - timedelta(days=1)).isoformat(), days_past_due="45")
    portfolio.scan(people.risk, customer_ids=[customer.id])
    warning = db.session.scalar(select(EarlyWarning).where(EarlyWarning.code == "past_due_30"))
    case = ad_hoc.start_from_warning(
        people.risk, warning.id, {"due_on": (TODAY() + timedelta(days=3)).isoformat()}
    )
    inspection = inspection_of(case.id)
    assert (inspection.kind, inspection.warning_id, inspection.requested_by_id) == (
        "ad_hoc",
        warning.id,
        people.risk.id,
    )
    assert inspection.due_on == TODAY() + timedelta(days=3)
    assert db.session.get(ProcessInstance, case.id).summary["warning_name"] == warning.name
    assert ready(case.id, "record_visit").assignee_id == people.officer.id  # the customer's officer visits
    warning.status = "closed"
    db.session.commit()
    with pytest.raises(InvalidInput) as refused:
        ad_hoc.start_from_warning(people.officer, warning.id, {})
    assert "warning_id" in refused.value.errors
