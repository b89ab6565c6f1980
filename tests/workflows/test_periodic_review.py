"""Periodic reviews (workflows/periodic_review.bpmn): scheduled by rules/review_frequency.dmn, started
once per due customer (catching up after downtime), re-rated from the officer's statements; a moved grade
goes through approval; the next date is set; an overdue review escalates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import select

from app.errors import Conflict, InvalidInput
from app.extensions import db
from app.formatting import money
from app.localtime import local_today
from app.models import AuditEvent, Customer, Facility, FacilityChange, HumanTask, ProcessInstance
from app.services.cases import cases, tasks, timers
from app.services.monitoring import reviews
from tests.factories import statements
from tests.workflows.test_warning_escalation import approved_customer, ready

YEAR = timedelta(days=365)


def review_due_today(people) -> tuple[Customer, int]:
    """An approved customer whose review falls due today, and the review the scheduler started."""
    customer = approved_customer(people)
    customer.next_review_on = date.today()
    db.session.commit()
    [started] = reviews.start_due()
    return customer, started


def test_a_review_is_due_by_the_frequency_table_and_started_once_even_when_long_overdue(deployed, people):
    customer = approved_customer(people)
    today = local_today()
    assert reviews.start_due(today=today) == []
    db.session.refresh(customer)
    assert customer.grade == "A" and customer.next_review_on == today + YEAR  # good grade: yearly
    later = today + 3 * YEAR  # the scheduler was down for two years: it catches up, once
    [started] = reviews.start_due(today=later)
    assert reviews.start_due(today=later) == []  # already running: not started twice
    instance = db.session.get(ProcessInstance, started)
    assert instance.reference.startswith("PR-") and instance.customer_id == customer.id
    task = ready(instance.id, "do_review")
    assert task.assignee_id == people.officer.id and task.due_at is not None


def test_a_review_that_keeps_the_grade_sets_the_next_date(deployed, people):
    customer, started = review_due_today(people)
    task = ready(started, "do_review")
    tasks.complete(
        people.officer,
        task.id,
        {"statements": statements(health=1.3), "review_notes": "经营正常，按期付息。"},
    )
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, started)
    assert (instance.status, instance.outcome) == ("completed", "reviewed")
    customer = db.session.get(Customer, customer.id)
    assert customer.grade == "A" and customer.next_review_on == local_today() + YEAR
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "customer.reviewed"))


def test_a_moved_grade_goes_through_approval_and_changes_the_limit_and_the_frequency(deployed, people):
    customer, started = review_due_today(people)
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": statements(health=0.7), "review_notes": "主营收入下滑，现金流紧张。"},
    )
    proposal = ready(started, "propose_change")
    assert proposal.lane == "risk_manager"
    cap = db.session.get(ProcessInstance, started).summary["limit_cap"]
    with pytest.raises(InvalidInput) as refused:  # above the new grade's policy cap
        tasks.complete(people.risk, proposal.id, {"new_limit": cap + 1, "change_comment": "维持"})
    assert "new_limit" in refused.value.errors
    tasks.complete(
        people.risk, proposal.id, {"new_limit": 3_000_000, "change_comment": "下调等级，压降额度。"}
    )
    approval = ready(started, "approve_review")
    assert approval.lane == "approver" and approval.required_level is not None
    tasks.complete(people.approver3, approval.id, {"review_decision": "approve", "review_comment": "同意。"})
    db.session.expire_all()
    customer = db.session.get(Customer, customer.id)
    assert customer.grade not in ("A", None)
    assert customer.next_review_on < local_today() + YEAR  # a weaker grade is reviewed more often
    facility = db.session.scalar(select(Facility).where(Facility.customer_id == customer.id))
    assert facility.limit_amount == Decimal("3000000.00") and facility.grade == customer.grade
    change = db.session.scalar(select(FacilityChange).where(FacilityChange.action == "review"))
    assert change.before["limit_amount"] == "5000000.00"


def test_a_late_review_counts_the_next_date_from_today_so_it_is_not_due_again_at_once(deployed, people):
    customer = approved_customer(people)
    customer.next_review_on = date.today() - timedelta(days=800)
    db.session.commit()
    [started] = reviews.start_due()
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": statements(health=1.3), "review_notes": "补做检查。"},
    )
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).next_review_on == local_today() + YEAR
    assert reviews.start_due() == []


AFTER_MIDNIGHT_IN_BEIJING = (
    "2026-12-05 17:30:00+00:00"  # 01:30 on 6 December in Beijing, the 5th on UTC's calendar
)


def test_a_review_finished_after_midnight_in_beijing_counts_the_next_date_from_beijing_s_today(
    deployed, people
):
    with time_machine.travel(AFTER_MIDNIGHT_IN_BEIJING, tick=False):
        customer = approved_customer(people)
        customer.next_review_on = date(2026, 12, 5)  # due yesterday in Beijing
        db.session.commit()
        [started] = reviews.start_due()
        tasks.complete(
            people.officer,
            ready(started, "do_review").id,
            {"statements": statements(health=1.3), "review_notes": "凌晨完成检查。"},
        )
    db.session.expire_all()
    assert (
        db.session.get(Customer, customer.id).next_review_on == date(2026, 12, 6) + YEAR
    )  # not the 5th + a year


def test_a_first_review_date_counts_from_the_beijing_day_of_the_decision(deployed, people):
    with time_machine.travel(AFTER_MIDNIGHT_IN_BEIJING, tick=False):
        customer = approved_customer(people)  # its facility decided at 01:30 on the 6th, Beijing time
        assert reviews.start_due() == []
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).next_review_on == date(2026, 12, 6) + YEAR


def test_a_rejected_regrade_keeps_the_grade(deployed, people):
    customer, started = review_due_today(people)
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": statements(health=0.7), "review_notes": "收入下滑。"},
    )
    tasks.complete(
        people.risk, ready(started, "propose_change").id, {"change_comment": "等级下调，额度不变。"}
    )
    tasks.complete(
        people.approver3,
        ready(started, "approve_review").id,
        {"review_decision": "reject", "review_comment": "一次性因素，维持原等级。"},
    )
    db.session.expire_all()
    assert db.session.get(Customer, customer.id).grade == "A"
    assert db.session.get(ProcessInstance, started).outcome == "reviewed"
    assert db.session.scalar(select(FacilityChange)) is None


def test_the_database_allows_one_running_review_per_customer(deployed, people):
    customer, started = review_due_today(people)
    with pytest.raises(Conflict):  # a second scheduler starting the same customer's review
        cases.start_by_message("periodic_review", "review_due", reviews._payload(customer))
    db.session.rollback()
    assert [
        r.id
        for r in db.session.scalars(
            select(ProcessInstance).where(ProcessInstance.process_id == "periodic_review")
        )
    ] == [started]


def test_an_overdue_review_escalates_to_the_risk_manager(deployed, people):
    customer = approved_customer(people)
    customer.next_review_on = date.today()
    db.session.commit()
    with time_machine.travel(date.today().isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [started] = reviews.start_due()
        task = ready(started, "do_review")
        clock.shift(timedelta(days=31))  # grade A: thirty days
        assert timers.fire_due() == 1
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).state == "cancelled"
    escalated = ready(started, "overdue_review")
    assert escalated.lane == "risk_manager"
    tasks.complete(
        people.risk,
        escalated.id,
        {"statements": statements(health=1.3), "review_notes": "风险经理代为检查。"},
    )
    assert db.session.get(ProcessInstance, started).status == "completed"


def test_keeping_a_live_limit_above_the_cap_of_the_grade_is_refused_naming_the_amount_and_the_cap(
    deployed, people
):
    customer = approved_customer(people)
    facility = db.session.scalar(select(Facility).where(Facility.customer_id == customer.id))
    facility.limit_amount, customer.next_review_on = Decimal("400000000"), date.today()  # above any A cap
    db.session.commit()
    [started] = reviews.start_due()
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": statements(health=1.3), "review_notes": "经营正常。"},
    )
    proposal = ready(started, "propose_change")  # the grade held, yet the limit is above its cap
    summary = db.session.get(ProcessInstance, started).summary
    assert summary["grade"] == "A" and summary["limit_cap"] < 400_000_000
    with pytest.raises(InvalidInput) as refused:  # leaving the new limit empty keeps the live one
        tasks.complete(people.risk, proposal.id, {"change_comment": "维持现有额度。"}, locale="zh_CN")
    asked, cap = money(400_000_000, "zh_CN"), money(summary["limit_cap"], "zh_CN")
    assert asked in refused.value.message and cap in refused.value.message
    assert asked in refused.value.errors["new_limit"] and cap in refused.value.errors["new_limit"]
    with pytest.raises(InvalidInput) as raised:
        tasks.complete(
            people.risk,
            proposal.id,
            {"new_limit": summary["limit_cap"] + 1, "change_comment": "上调。"},
            locale="en",
        )
    assert money(summary["limit_cap"] + 1, "en") in raised.value.errors["new_limit"]
    assert money(summary["limit_cap"], "en") in raised.value.errors["new_limit"]
    tasks.complete(
        people.risk, proposal.id, {"new_limit": summary["limit_cap"], "change_comment": "压降至上限。"}
    )
    assert ready(started, "approve_review") is not None


def test_the_class_caps_the_grade_a_review_gives_and_so_its_limit(deployed, people):
    customer = approved_customer(people)
    customer.loan_class, customer.next_review_on = "substandard", date.today()  # 次级: CCC at best
    db.session.commit()
    [started] = reviews.start_due()
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": statements(health=1.3), "review_notes": "报表尚可，但已列为次级。"},
    )
    summary = db.session.get(ProcessInstance, started).summary
    assert summary["grade"] == "CCC" and summary["limit_cap"] == 0  # not the A its statements alone give
    with pytest.raises(InvalidInput) as refused, force_locale("en"):
        tasks.complete(
            people.risk, ready(started, "propose_change").id, {"change_comment": "维持。"}, locale="en"
        )
    assert "Substandard" in refused.value.errors["new_limit"] and "CCC" in refused.value.errors["new_limit"]
