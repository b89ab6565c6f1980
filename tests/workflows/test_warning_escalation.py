"""The portfolio check raises early warnings (deduplicated), each starts workflows/warning_escalation.bpmn:
the officer investigates within the triage table's time, the risk manager decides a control from
rules/risk_controls.dmn, an approver of the table's level approves it, the facility changes, the customer
is classified (五级分类), and the warning closes or is followed up."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.errors import InsufficientAuthority
from app.extensions import db
from app.models import (
    AuditEvent,
    Customer,
    EarlyWarning,
    Facility,
    FacilityChange,
    FinancialStatement,
    HumanTask,
    ProcessInstance,
)
from app.services.cases import tasks, timers
from app.services.monitoring import observations, portfolio, portfolio_inputs
from tests.factories import case_routed, compliance_sign_off, open_task


def approved_customer(people) -> Customer:
    """A customer with a live facility: a case approved by the branch and signed off by compliance."""
    return approved_customer_of(people, 1)


def approved_customer_of(people, index: int) -> Customer:
    """The ``index``-th customer (of factories.intake) with a live facility."""
    case = case_routed("single", people.officer, index)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(case, people.compliance)
    return db.session.get(Customer, case.customer_id)


def observe(people, customer, **figures):
    observations.record(
        people.officer,
        {"uscc": customer.uscc, "observed_on": figures.pop("on", date.today().isoformat()), **figures},
    )


def escalation(warning: EarlyWarning) -> ProcessInstance:
    return db.session.get(ProcessInstance, warning.instance_id)


def ready(instance_id: int, spec: str) -> HumanTask:
    return db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
        )
    )


def test_a_past_due_customer_is_warned_once_and_the_approved_freeze_reaches_the_facility(deployed, people):
    customer = approved_customer(people)
    observe(
        people,
        customer,
        on=(date.today() - timedelta(days=2)).isoformat(),
        days_past_due="45",
        utilization_pct="97",
    )
    first = portfolio.scan(people.risk)
    warnings = {w.code: w for w in db.session.scalars(select(EarlyWarning))}
    assert set(warnings) == {"past_due_30", "high_utilization"} and len(first.raised) == 2
    assert portfolio.scan(people.risk).raised == []  # open warnings are not raised again

    high, medium = warnings["past_due_30"], warnings["high_utilization"]
    case = escalation(high)
    assert medium.instance_id == case.id  # one escalation for the customer's warnings of one check
    assert (case.process_id, case.customer_id) == ("warning_escalation", customer.id)
    investigate = ready(case.id, "investigate_warning")
    assert investigate.assignee_id == people.officer.id  # the customer's officer
    assert investigate.due_at is not None  # the triage table's time limit
    tasks.complete(
        people.officer, investigate.id, {"assessment": "confirmed", "findings": "客户资金链紧张，已约谈。"}
    )
    review = ready(case.id, "risk_review")
    db.session.refresh(case)
    assert case.summary.get("severity") == "high"
    tasks.complete(
        people.risk,
        review.id,
        {"action": "freeze", "expected_loss_pct": 10, "review_comment": "冻结额度，压缩敞口。"},
    )
    approval = ready(case.id, "approve_control")
    assert approval.lane == "approver" and approval.required_level == 2  # the table's level for a freeze
    tasks.complete(
        people.approver2, approval.id, {"control_decision": "approve", "control_comment": "同意冻结"}
    )

    db.session.expire_all()
    facility = db.session.scalar(select(Facility).where(Facility.customer_id == customer.id))
    assert facility.status == "frozen"
    change = db.session.scalar(select(FacilityChange).where(FacilityChange.facility_id == facility.id))
    assert (change.action, change.before["status"], change.after["status"]) == ("freeze", "active", "frozen")
    assert db.session.get(Customer, customer.id).loan_class == "special_mention"  # 45 days past due
    assert {(w.status, w.outcome) for w in db.session.scalars(select(EarlyWarning))} == {("closed", "closed")}
    assert escalation(high).status == "completed"
    trail = set(db.session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id == case.id)))
    assert {"facility.changed", "customer.reclassified"} <= trail

    assert portfolio.scan(people.risk).raised == []  # handled: the same observation raises nothing again
    observe(people, customer, utilization_pct="99")  # a new observation still says so: raised again
    assert {db.session.get(EarlyWarning, i).code for i in portfolio.scan(people.risk).raised} == {
        "high_utilization"
    }


def test_a_false_alarm_closes_every_warning_of_its_escalation(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, utilization_pct="97", tax_arrears="300")  # medium and low
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "false_alarm", "findings": "季末临时用款，已归还。"},
    )
    db.session.expire_all()
    assert {(w.code, w.status, w.outcome) for w in db.session.scalars(select(EarlyWarning))} == {
        ("high_utilization", "closed", "false_alarm"),
        ("tax_arrears", "closed", "false_alarm"),
    }


def test_an_investigation_not_done_in_time_escalates_to_the_risk_manager(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, overdue_interest="1200")
    with time_machine.travel(date.today().isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [warning_id] = portfolio.scan(people.risk).raised
        case = escalation(db.session.get(EarlyWarning, warning_id))
        investigate = ready(case.id, "investigate_warning")
        clock.shift(timedelta(days=1, minutes=1))  # high: one day
        assert timers.fire_due() == 1
    db.session.expire_all()
    assert db.session.get(HumanTask, investigate.id).state == "cancelled"
    review = ready(case.id, "risk_review")
    assert review is not None and db.session.get(ProcessInstance, case.id).summary.get("severity") == "high"


def test_a_follow_up_date_waits_and_an_unresolved_follow_up_goes_back_to_the_risk_manager(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, utilization_pct="98")
    with time_machine.travel(date.today().isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [warning_id] = portfolio.scan(people.risk).raised
        case = escalation(db.session.get(EarlyWarning, warning_id))
        tasks.complete(
            people.officer,
            ready(case.id, "investigate_warning").id,
            {"assessment": "confirmed", "findings": "用款集中。"},
        )
        follow_on = (date.today() + timedelta(days=7)).isoformat()
        tasks.complete(
            people.risk,
            ready(case.id, "risk_review").id,
            {
                "action": "reduce_limit",
                "reduce_share": 0.2,
                "expected_loss_pct": 0,
                "follow_up_date": follow_on,
                "review_comment": "压降 20%，一周后跟踪。",
            },
        )
        limit_before = db.session.scalar(
            select(Facility.limit_amount).where(Facility.customer_id == customer.id)
        )
        tasks.complete(
            people.approver1, ready(case.id, "approve_control").id, {"control_decision": "approve"}
        )
        db.session.expire_all()
        facility = db.session.scalar(select(Facility).where(Facility.customer_id == customer.id))
        assert facility.limit_amount == (limit_before * Decimal("0.8")).quantize(Decimal("0.01"))
        assert ready(case.id, "follow_up") is None and timers.fire_due() == 0  # waits for the date
        clock.shift(timedelta(days=8))
        assert timers.fire_due() == 1
        follow = ready(case.id, "follow_up")
        assert follow.assignee_id == people.officer.id
        tasks.complete(people.officer, follow.id, {"resolved": False, "follow_up_findings": "使用率仍高。"})
        assert ready(case.id, "risk_review") is not None  # decided again


def test_a_low_warning_confirmed_stays_with_the_officer_and_closes_after_classification(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, tax_arrears="800")
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "欠税已补缴计划中。"},
    )
    db.session.expire_all()
    assert escalation(db.session.get(EarlyWarning, warning_id)).status == "completed"
    assert db.session.get(Customer, customer.id).loan_class == "special_mention"  # confirmed: at least 关注
    assert db.session.get(EarlyWarning, warning_id).status == "closed"


def test_a_control_sent_back_returns_to_the_risk_manager_and_no_action_needs_no_approval(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, days_past_due="10")
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "短期周转问题。"},
    )
    tasks.complete(
        people.risk,
        ready(case.id, "risk_review").id,
        {"action": "exit", "expected_loss_pct": 5, "review_comment": "建议退出。"},
    )
    tasks.complete(
        people.approver3,
        ready(case.id, "approve_control").id,
        {"control_decision": "reject", "control_comment": "措施过重，请重新考虑。"},
    )
    again = ready(case.id, "risk_review")
    assert again is not None
    tasks.complete(
        people.risk, again.id, {"action": "none", "expected_loss_pct": 0, "review_comment": "持续观察。"}
    )
    db.session.expire_all()
    assert ready(case.id, "approve_control") is None
    assert db.session.scalar(select(Facility.status).where(Facility.customer_id == customer.id)) == "active"
    assert db.session.get(Customer, customer.id).loan_class == "special_mention"  # 10 days past due


def test_the_approval_level_follows_the_action_the_risk_manager_chose(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, utilization_pct="97")  # the table proposes a reduction at branch level
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "走访核实，情况属实。"},
    )
    tasks.complete(
        people.risk,
        ready(case.id, "risk_review").id,
        {"action": "exit", "expected_loss_pct": 30, "review_comment": "退出。"},
    )
    approval = ready(case.id, "approve_control")
    assert approval.required_level == 3  # an exit needs the chief credit officer, whatever was proposed
    with pytest.raises(InsufficientAuthority):
        tasks.complete(people.approver1, approval.id, {"control_decision": "approve"})


def test_an_escalation_never_lifts_a_class_another_one_set(deployed, people):
    customer = approved_customer(people)
    customer.loan_class = "doubtful"
    db.session.commit()
    observe(people, customer, tax_arrears="500")
    [warning_id] = portfolio.scan(people.risk).raised
    case = escalation(db.session.get(EarlyWarning, warning_id))
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "欠税属实，已催缴。"},
    )
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).loan_class == "doubtful"
    assert db.session.get(Customer, customer.id).watchlist is True  # the officer's path applies its watchlist


def test_a_warning_on_the_statements_is_not_raised_again_by_a_new_observation(deployed, people):
    customer = approved_customer(people)
    statement = db.session.scalars(
        select(FinancialStatement)
        .where(FinancialStatement.customer_id == customer.id)
        .order_by(FinancialStatement.fiscal_year.desc())
    ).first()
    items = statement.items  # current liabilities above current assets: a current ratio under 1
    statement.items = {
        **items,
        "current_liabilities": items["current_assets"] * 1.2,
        "total_liabilities": max(items["total_liabilities"], items["current_assets"] * 1.2),
    }
    db.session.commit()
    observe(people, customer, on=(date.today() - timedelta(days=1)).isoformat(), utilization_pct="50")
    raised = [db.session.get(EarlyWarning, i) for i in portfolio.scan(people.risk).raised]
    [warning] = [w for w in raised if w.code == "current_ratio_below_one"]
    assert warning.basis == f"statements:{statement.fiscal_year}"
    tasks.complete(
        people.officer,
        ready(warning.instance_id, "investigate_warning").id,
        {"assessment": "false_alarm", "findings": "季节性应付款。"},
    )
    observe(people, customer, utilization_pct="51")
    assert portfolio.scan(people.risk).raised == []


def test_a_figure_not_observed_in_the_latest_row_is_taken_from_the_row_before(deployed, people):
    customer = approved_customer(people)
    today = date.today()
    observe(people, customer, on=(today - timedelta(days=5)).isoformat(), enforcement_records="3")
    observe(
        people, customer, on=(today - timedelta(days=4)).isoformat(), utilization_pct="40", days_past_due="12"
    )
    observe(people, customer, on=(today - timedelta(days=3)).isoformat(), enforcement_records="3")
    observe(people, customer, on=today.isoformat(), utilization_pct="41")
    frame = portfolio_inputs.portfolio_frame()
    row = frame.loc[customer.id]
    assert row.new_enforcement_records == 0  # 3 then 3: nothing new, whatever lies between
    assert row.days_past_due == 12  # not hidden by a later row that did not observe it
    assert row.observed_on == today


def test_the_database_refuses_a_second_open_warning_for_the_same_signal(deployed, people):
    customer = approved_customer(people)
    values = dict(
        customer_id=customer.id,
        code="past_due",
        name="x",
        severity="high",
        evidence={},
        rule_id="r",
        rules_hash="h",
        basis="observation:-",
    )
    db.session.add(EarlyWarning(**values))
    db.session.commit()
    db.session.add(EarlyWarning(**values))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(EarlyWarning(**{**values, "status": "closed"}))  # closed ones may repeat
    db.session.commit()
