"""A warning joins an escalation only while its investigation is open, and joining triages the whole group
again: the worst severity sets the time to investigate (never later than the time left) and whether a
confirmed group goes to the risk manager. A warning that comes after the officer concluded starts its own
escalation, investigated now, instead of waiting on a decision made without it."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, DecisionLog, EarlyWarning, HumanTask, Notification, ProcessInstance
from app.models.base import utcnow
from app.services.cases import tasks, timers
from app.services.monitoring import portfolio
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

TODAY = local_today()  # the bank's (Beijing) date, as the app reads it
NIGHT = TODAY.isoformat() + " 02:00:00+00:00"  # the check's hour, on a frozen clock


def warning(code: str) -> EarlyWarning:
    return db.session.scalar(select(EarlyWarning).where(EarlyWarning.code == code))


def open_tasks(case_id: int) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == case_id, HumanTask.state == "ready")
        )
    )


def test_a_high_warning_raised_while_the_escalation_waits_for_its_follow_up_date_is_investigated_now(
    deployed, people
):
    customer = approved_customer(people)
    observe(people, customer, utilization_pct="98")  # medium
    with time_machine.travel(NIGHT, tick=False) as clock:
        [case_id] = portfolio.scan(people.risk).started
        tasks.complete(
            people.officer,
            ready(case_id, "investigate_warning").id,
            {"assessment": "confirmed", "findings": "用款集中。"},
        )
        tasks.complete(
            people.risk,
            ready(case_id, "risk_review").id,
            {
                "action": "reduce_limit",
                "reduce_share": 0.2,
                "expected_loss_pct": 0,
                "follow_up_date": (TODAY + timedelta(days=180)).isoformat(),
                "review_comment": "压降 20%，半年后跟踪。",
            },
        )
        tasks.complete(
            people.approver1, ready(case_id, "approve_control").id, {"control_decision": "approve"}
        )
        assert open_tasks(case_id) == []  # waits for the follow-up date

        clock.shift(timedelta(days=1))
        observe(people, customer, on=date.today().isoformat(), days_past_due="95")  # a default: high
        second = portfolio.scan(people.risk)
        assert second.joined == [] and len(second.started) == 1 and second.started != [case_id]
        [new_id] = second.started
        high = warning("past_due_30")
        assert (high.status, high.instance_id, high.joined_at) == ("open", new_id, None)  # its own escalation
        assert warning("high_utilization").instance_id == case_id  # the old one keeps what it investigated
        investigate = ready(new_id, "investigate_warning")
        assert investigate.assignee_id == people.officer.id  # work today, not in 179 days
        assert investigate.due_at == utcnow() + timedelta(days=1)  # triaged as high: one day

        clock.shift(timedelta(days=180))
        assert timers.fire_due() == 2  # the old one's follow-up date, the new one's time to investigate
        tasks.complete(
            people.officer,
            ready(case_id, "follow_up").id,
            {"resolved": True, "follow_up_findings": "用款已回落。"},
        )
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case_id).status == "completed"
    assert warning("high_utilization").status == "closed"
    assert warning("past_due_30").status == "open"  # "resolved" of the old signal does not close the default
    assert ready(new_id, "risk_review") is not None  # not investigated in time: with the risk manager


def test_a_medium_warning_joining_a_low_escalation_reaches_the_risk_manager_when_confirmed(deployed, people):
    """rules/warning_triage.dmn: a confirmed medium warning goes to the risk manager (to_risk_manager true),
    and a group is triaged as its worst warning."""
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), tax_arrears="800")  # low
    [case_id] = portfolio.scan(people.risk).started
    observe(people, customer, on=TODAY.isoformat(), utilization_pct="97")  # medium
    assert portfolio.scan(people.risk).joined == [case_id]
    assert db.session.get(ProcessInstance, case_id).summary["severity"] == "medium"
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "欠税属实，额度用满。"},
    )
    assert ready(case_id, "risk_review") is not None, (
        "a confirmed medium warning never reached the risk manager"
    )


def test_a_worse_warning_joining_the_investigation_triages_the_group_again_and_only_ever_shortens_its_time(
    deployed, people
):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), tax_arrears="800")  # low: five days
    with time_machine.travel(NIGHT, tick=False) as clock:
        [case_id] = portfolio.scan(people.risk).started
        first = ready(case_id, "investigate_warning")
        began = utcnow()
        assert first.due_at == began + timedelta(days=5)

        clock.shift(timedelta(days=1))
        observe(people, customer, on=date.today().isoformat(), utilization_pct="97")  # medium: three days
        assert portfolio.scan(people.risk).joined == [case_id]
        db.session.expire_all()
        assert db.session.get(HumanTask, first.id).state == "cancelled"
        again = ready(case_id, "investigate_warning")  # the investigation starts over with the whole group
        assert again.assignee_id == people.officer.id
        assert again.due_at == began + timedelta(days=4)  # three days from the join: earlier than the five
        triage = db.session.scalars(
            select(DecisionLog)
            .where(DecisionLog.instance_id == case_id, DecisionLog.decision_id == "warning_triage")
            .order_by(DecisionLog.id)
        ).all()
        assert [t.matched_rules for t in triage] == [["Rule_warning_triage_03"], ["Rule_warning_triage_02"]]
        assert triage[1].inputs["severity"] == "medium" and triage[1].outputs["to_risk_manager"] is True
        joined = warning("high_utilization")
        assert (joined.instance_id, joined.joined_at) == (case_id, utcnow())
        events = [
            e.event_type
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == case_id).order_by(AuditEvent.id)
            )
        ]
        assert "warning.joined" in events and "engine.event_caught" in events
        assert "engine.timer_fired" not in events  # a warning joining is no time limit passing
        told = db.session.scalar(select(Notification).where(Notification.task_id == again.id))
        assert (told.user_id, told.kind) == (people.officer.id, "new")

        clock.shift(timedelta(days=2, hours=12))  # half a day left
        observe(people, customer, on=date.today().isoformat(), overdue_interest="900")  # high: one day
        assert portfolio.scan(people.risk).joined == [case_id]
        third = ready(case_id, "investigate_warning")
        assert third.id != again.id and third.due_at == began + timedelta(days=4)  # never later than it was
        assert db.session.get(ProcessInstance, case_id).summary["severity"] == "high"

        clock.shift(timedelta(hours=12, minutes=1))
        assert timers.fire_due() == 1
    assert ready(case_id, "risk_review") is not None


def test_a_warning_raised_while_the_risk_manager_decides_starts_its_own_escalation(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), utilization_pct="97")
    [case_id] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "额度用满。"},
    )
    assert ready(case_id, "risk_review") is not None
    version = db.session.get(ProcessInstance, case_id).version

    observe(people, customer, on=TODAY.isoformat(), tax_arrears="500")
    result = portfolio.scan(people.risk)
    assert result.joined == [] and len(result.started) == 1
    late = warning("tax_arrears")
    assert (
        late.instance_id == result.started[0] and ready(late.instance_id, "investigate_warning") is not None
    )
    db.session.expire_all()
    assert (
        db.session.get(ProcessInstance, case_id).version == version
    )  # the decision waiting is left as it was
    assert warning("high_utilization").instance_id == case_id


def test_each_warning_belongs_to_one_escalation_whatever_the_order(deployed, people):
    """Two escalations of one customer (one past its investigation, one at it): a new warning joins the one
    still investigating."""
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=2)).isoformat(), utilization_pct="97")
    [deciding] = portfolio.scan(people.risk).started
    tasks.complete(
        people.officer,
        ready(deciding, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "额度用满。"},
    )
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), tax_arrears="500")
    [investigating] = portfolio.scan(people.risk).started
    observe(people, customer, on=TODAY.isoformat(), overdue_interest="900")
    assert portfolio.scan(people.risk).joined == [investigating]
    held = {w.code: w.instance_id for w in db.session.scalars(select(EarlyWarning))}
    assert held == {
        "high_utilization": deciding,
        "tax_arrears": investigating,
        "overdue_interest": investigating,
    }


def test_the_time_left_is_never_negative(deployed, people):
    """An investigation past its time whose timer has not fired yet: a warning joining it leaves no time."""
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), tax_arrears="800")
    with time_machine.travel(NIGHT, tick=False) as clock:
        [case_id] = portfolio.scan(people.risk).started
        clock.shift(timedelta(days=6))  # the beat has not ticked
        observe(people, customer, on=date.today().isoformat(), utilization_pct="97")
        assert portfolio.scan(people.risk).joined == [case_id]
        assert ready(case_id, "investigate_warning").due_at == utcnow()
        clock.shift(timedelta(minutes=1))
        assert timers.fire_due() == 1
    assert ready(case_id, "risk_review") is not None
    joined = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "warning.joined"))
    assert joined.payload["time_left"] == "PT0S"
