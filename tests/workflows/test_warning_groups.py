"""One signal, one investigation: the new warnings of one customer from one check share one escalation
(triaged by the worst of them), a warning raised while it is open joins it and closes with it, and each
warning keeps the figures its rule tested and the date of the observation that triggered it."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, EarlyWarning, HumanTask, ProcessInstance
from app.services.cases import tasks, timers
from app.services.monitoring import escalations, portfolio
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

TODAY = local_today()  # the bank's (Beijing) date, as the app reads it


def investigations(customer_id: int) -> int:
    """The investigations the officer has (had) to do: one a joining warning restarted counts once."""
    return db.session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .join(ProcessInstance)
        .where(
            ProcessInstance.customer_id == customer_id,
            HumanTask.task_spec == "investigate_warning",
            HumanTask.state != "cancelled",
        )
    )


def test_one_observation_95_days_past_due_raises_its_warnings_in_one_escalation(deployed, people):
    customer = approved_customer(people)
    observe(
        people,
        customer,
        on=(TODAY - timedelta(days=3)).isoformat(),
        days_past_due="95",
        overdue_interest="18000",
        utilization_pct="99",
    )
    observe(
        people,
        customer,
        on=(TODAY - timedelta(days=1)).isoformat(),
        negative_news="是",
        news_note="媒体报道停产",
    )
    result = portfolio.scan(people.risk)

    warnings = {w.code: w for w in db.session.scalars(select(EarlyWarning))}
    assert set(warnings) == {"past_due_30", "overdue_interest", "high_utilization", "negative_news"}
    assert len(result.raised) == 4 and len(result.started) == 1 and result.joined == []
    assert {w.instance_id for w in warnings.values()} == {result.started[0]}
    assert investigations(customer.id) == 1  # the officer investigates once, not four times
    case = db.session.get(ProcessInstance, result.started[0])
    assert (
        case.summary["severity"] == "high" and case.summary["warning_code"] == "past_due_30"
    )  # the worst leads
    investigate = ready(case.id, "investigate_warning")
    assert investigate.assignee_id == people.officer.id
    assert investigate.due_at - investigate.created_at <= timedelta(
        days=1, minutes=1
    )  # triaged as the worst: 1 day

    past_due = warnings["past_due_30"]
    assert past_due.observed_on == TODAY - timedelta(days=3)  # its observation, not the latest one
    assert [(f["key"], f["value"]) for f in past_due.figures] == [("days_past_due", 95)]
    assert "逾期天数" in past_due.figures[0]["label"] and "30" in past_due.rule_text
    assert warnings["negative_news"].observed_on == TODAY - timedelta(days=1)
    assert warnings["overdue_interest"].figures[0]["value"] == 18000


def test_a_warning_raised_while_the_escalation_is_open_joins_it_and_closes_with_it(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=2)).isoformat(), utilization_pct="97")
    [case_id] = portfolio.scan(people.risk).started
    assert db.session.get(ProcessInstance, case_id).summary["severity"] == "medium"

    observe(people, customer, on=TODAY.isoformat(), days_past_due="45")
    second = portfolio.scan(people.risk)
    assert second.started == [] and second.joined == [case_id] and len(second.raised) == 1
    joined = db.session.get(EarlyWarning, second.raised[0])
    assert (joined.code, joined.instance_id) == ("past_due_30", case_id)
    assert investigations(customer.id) == 1
    case = db.session.get(ProcessInstance, case_id)
    assert case.summary["severity"] == "high"  # the group's worst, for the steps ahead
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "warning.joined")) is not None

    # a high warning reaches the risk manager even when the officer calls the group a false alarm
    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "false_alarm", "findings": "季末用款，逾期为系统延迟。"},
    )
    review = ready(case_id, "risk_review")
    assert review is not None
    tasks.complete(
        people.risk, review.id, {"action": "none", "expected_loss_pct": 0, "review_comment": "持续观察。"}
    )
    db.session.expire_all()
    assert db.session.get(ProcessInstance, case_id).status == "completed"
    assert set(db.session.scalars(select(EarlyWarning.status))) == {"closed"}  # both, with their escalation


def test_a_joined_warning_reaches_the_escalation_when_its_investigation_timer_fires(deployed, people):
    customer = approved_customer(people)
    observe(people, customer, on=TODAY.isoformat(), tax_arrears="800")  # low: five days to investigate
    with time_machine.travel(TODAY.isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [case_id] = portfolio.scan(people.risk).started
        observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), overdue_interest="900")
        assert portfolio.scan(people.risk).joined == [case_id]
        clock.shift(timedelta(days=5, minutes=1))
        assert timers.fire_due() == 1
    assert ready(case_id, "risk_review") is not None
    assert (
        db.session.get(ProcessInstance, case_id).summary["severity"] == "high"
    )  # the timer's path read the group


def test_a_warning_for_an_escalation_that_ended_since_the_check_began_starts_a_new_one(
    deployed, people, monkeypatch
):
    customer = approved_customer(people)
    observe(people, customer, on=(TODAY - timedelta(days=1)).isoformat(), utilization_pct="97")
    [first] = portfolio.scan(people.risk).started
    ended = db.session.get(ProcessInstance, first)
    observe(people, customer, on=TODAY.isoformat(), tax_arrears="500")
    monkeypatch.setattr(escalations, "open_for", lambda _ids: {customer.id: [ended]})  # seen open, then...
    tasks.complete(
        people.officer,
        ready(first, "investigate_warning").id,  # ...closed before the warning joins
        {"assessment": "false_alarm", "findings": "季末临时用款。"},
    )
    result = portfolio.scan(people.risk)
    assert result.joined == [] and len(result.started) == 1 and result.started != [first]
    late = db.session.get(EarlyWarning, result.raised[0])
    assert (late.status, late.instance_id) == ("open", result.started[0])  # not left in a closed escalation
