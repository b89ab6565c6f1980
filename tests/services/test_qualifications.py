"""Approval qualifications: an expired or missing certificate removes an approver from the queue and
refuses their approvals, saying why; committee members without one are not called to vote."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import delete, select

from app.errors import InsufficientAuthority, InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, HumanTask, TrainingCompletion
from app.services.approval import qualifications
from app.services.cases import tasks
from tests.factories import approval_passes, case_routed, open_task, snapshot


def expire(user, on: str = "2025-06-30") -> None:
    db.session.execute(
        delete(TrainingCompletion).where(TrainingCompletion.user_id == user.id, approval_passes())
    )
    db.session.commit()
    qualifications.record(None, user.username, "CQ-2023-0042", on)


def test_an_expired_qualification_empties_the_inbox_and_refuses_the_approval_saying_why(deployed, people):
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    assert [t.id for t in tasks.sign_off_inbox(people.approver1).rows] == [signoff.id]
    expire(people.approver1)
    inbox = tasks.sign_off_inbox(people.approver1)
    assert inbox.rows == [] and "2025-06-30" in inbox.blocked
    assert signoff.id not in [t.id for t in tasks.my_tasks(people.approver1).rows]
    before = snapshot(case.id)
    with pytest.raises(InsufficientAuthority) as caught:
        tasks.complete(people.approver1, signoff.id, {"decision": "approve"})
    assert "2025-06-30" in caught.value.message
    assert snapshot(case.id) == before
    qualifications.record(people.admin, "approver1", "CQ-2026-0107", "2028-06-30")  # renewed
    assert [t.id for t in tasks.sign_off_inbox(people.approver1).rows] == [signoff.id]


def test_a_committee_member_without_a_valid_certificate_is_not_called_to_vote(deployed, people):
    expire(people.member2)
    case = case_routed("committee", people.officer)
    called = {
        t.assignee.username
        for t in db.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.task_spec == "committee_vote")
        )
    }
    assert called == {"member1", "cro"}


def test_only_the_administrator_records_a_certificate_and_bad_input_is_named(deployed, people):
    with pytest.raises(NotAuthorized):
        qualifications.record(people.approver3, "approver3", "CQ-1", "2030-01-01")
    with pytest.raises(InvalidInput) as caught:
        qualifications.record(people.admin, "approver3", "", "31/12/2030")
    assert set(caught.value.errors) == {"certificate", "valid_until"}
    qualifications.record(people.admin, "approver3", "CQ-2026-0001", "2030-12-31")
    assert qualifications.valid_until(people.approver3) >= date(2030, 12, 31)
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.event_type == "qualification.recorded")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_name == "admin" and event.payload["target"] == "approver3"
