"""Approval time limits (SLA) from rules/approval_sla.dmn: the due time on the task, near and past it,
and the boundary timer that escalates an overdue sign-off to the next level's queue, with a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DecisionLog, HumanTask, Notification
from app.services.approval import sla
from app.services.cases import tasks, timers
from app.services.cases.inbox_filters import InboxFilter
from tests.factories import case_routed, open_task

START = "2026-12-01 01:00:00+00:00"  # 09:00 in Shanghai


def _due_days(case) -> int:
    decision = db.session.scalar(
        select(DecisionLog).where(
            DecisionLog.instance_id == case.id, DecisionLog.decision_id == "approval_sla"
        )
    )
    return int(decision.outputs["approval_due"].strip("PD"))


def test_a_sign_off_is_due_when_the_table_says_near_it_in_its_last_quarter_and_overdue_after(
    deployed, people
):
    with time_machine.travel(START, tick=False) as clock:
        case = case_routed("single", people.officer)  # CNY 5 million: two days
        signoff = open_task(case.id, "approval_signoff")
        days = _due_days(case)
        assert days == 2
        assert signoff.due_at == signoff.created_at + timedelta(days=2)
        assert signoff.warn_at == signoff.due_at - timedelta(hours=12)  # a quarter of the time left
        assert sla.state_of(signoff.due_at, signoff.warn_at) == "on_time"

        def inbox(**f):
            return [t.id for t in tasks.sign_off_inbox(people.approver1, filters=InboxFilter(**f)).rows]

        assert inbox(due="near") == [] and inbox(due="overdue") == []

        clock.shift(timedelta(hours=37))
        assert sla.state_of(signoff.due_at, signoff.warn_at) == "near"
        assert inbox(due="near") == [signoff.id] and inbox(due="overdue") == []
        assert timers.fire_due() == 0  # near is not due: nothing moves


def test_an_overdue_sign_off_escalates_to_the_next_level_and_tells_who_held_it_and_who_gets_it(
    deployed, people
):
    with time_machine.travel(START, tick=False) as clock:
        case = case_routed("single", people.officer)
        signoff = open_task(case.id, "approval_signoff")
        tasks.claim(people.approver1, signoff.id)
        clock.shift(timedelta(days=2, minutes=1))
        assert timers.fire_due() == 1

        db.session.expire_all()
        assert db.session.get(HumanTask, signoff.id).state == "cancelled"
        escalated = open_task(case.id, "approval_signoff")
        assert escalated.id != signoff.id and escalated.required_level == 2 and escalated.assignee_id is None
        assert escalated.due_at == escalated.created_at + timedelta(days=2)  # the next level has its own time
        # the branch approver's queue no longer holds it; head office's does
        assert tasks.sign_off_inbox(people.approver1).rows == []
        assert [t.id for t in tasks.sign_off_inbox(people.approver2).rows] == [escalated.id]
        trail = db.session.scalars(
            select(AuditEvent.event_type).where(AuditEvent.instance_id == case.id).order_by(AuditEvent.id)
        ).all()
        assert trail[-4:] == ["engine.timer_fired", "engine.script_run", "task.cancelled", "task.ready"]
        told = {
            (n.user.username, n.kind)
            for n in db.session.scalars(
                select(Notification).where(
                    Notification.instance_id == case.id, Notification.kind.in_(("overdue", "escalated"))
                )
            )
        }
        # the holder is told it left them; each level-2-or-above approver who may act is told it arrived
        assert ("approver1", "overdue") in told
        assert {
            ("approver2", "escalated"),
            ("approver3", "escalated"),
            ("member1", "escalated"),
            ("member2", "escalated"),
        } <= told
        assert not any(user == "officer" for user, _kind in told)  # the investigator never approves

        tasks.complete(people.approver2, escalated.id, {"decision": "approve", "comment": "超时上报，同意"})
        db.session.refresh(case)
        assert open_task(case.id, "compliance_checklist").lane == "compliance"


def test_the_top_level_stays_at_the_top_when_it_is_overdue(deployed, people):
    with time_machine.travel(START, tick=False) as clock:
        case = case_routed("sequential", people.officer)  # head office, then the chief credit officer
        tasks.complete(people.approver2, open_task(case.id, "approval_signoff").id, {"decision": "approve"})
        top = open_task(case.id, "approval_signoff")
        assert top.required_level == 3
        clock.shift(timedelta(days=_due_days(case), minutes=1))
        assert timers.fire_due() == 1
        again = open_task(case.id, "approval_signoff")
        assert again.id != top.id and again.required_level == 3
