"""Delegation by the holder and reassignment by a manager: recorded, and refused when the colleague
lacks the group or the authority, investigated the case, or the task is a committee member's vote."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app import engine
from app.errors import Conflict, InsufficientAuthority, NotAuthorized, SegregationOfDutiesViolation
from app.extensions import db
from app.models import AuditEvent, HumanTask, TrainingCompletion, UserGroup
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import delegation, tasks
from app.services.design.deployment import deployment
from tests.factories import PASSWORD, approval_passes, case_routed, open_task, snapshot, trained


def sequential_first_signoff(people):
    """A level-2 sign-off (head office), the first of two."""
    case = case_routed("sequential", people.officer)
    return case, open_task(case.id, "approval_signoff")


def test_the_holder_delegates_to_a_colleague_with_the_authority_and_it_is_recorded(deployed, people):
    case, signoff = sequential_first_signoff(people)
    tasks.claim(people.approver2, signoff.id)
    offered = [u.username for u in delegation.colleagues_for(people.approver2, signoff)]
    assert "member1" in offered and "approver3" in offered and "approver1" not in offered
    delegation.delegate(people.approver2, signoff.id, "member1")
    assert signoff.assignee_id == people.member1.id
    with pytest.raises(NotAuthorized):  # no longer the delegator's
        tasks.complete(people.approver2, signoff.id, {"decision": "approve"})
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.delegated"))
    assert (event.actor_name, event.payload["from"], event.payload["to"]) == (
        "approver2",
        "approver2",
        "member1",
    )
    tasks.complete(people.member1, signoff.id, {"decision": "approve", "comment": "受托审批同意"})


def test_a_delegate_without_the_authority_is_refused_and_nothing_changes(deployed, people):
    case, signoff = sequential_first_signoff(people)
    before = snapshot(case.id)
    with pytest.raises(InsufficientAuthority) as caught:
        delegation.delegate(people.approver2, signoff.id, "approver1")
    assert "第 1 级" in caught.value.message and "第 2 级" in caught.value.message
    with pytest.raises(NotAuthorized):
        delegation.delegate(people.approver2, signoff.id, "officer2")  # not an approver at all
    assert snapshot(case.id) == before


def test_the_investigator_can_never_be_the_delegate(deployed, people):
    dual, _ = users.create_user("dual", "officer", PASSWORD, actor=people.admin)
    db.session.add(UserGroup(user_id=dual.id, group_code="approver"))
    dual.authority_level = 3
    db.session.commit()
    db.session.refresh(dual)
    trained(dual)
    case = case_routed("sequential", dual)  # dual opened and worked the case
    signoff = open_task(case.id, "approval_signoff")
    with pytest.raises(SegregationOfDutiesViolation):
        delegation.delegate(people.approver2, signoff.id, "dual")
    assert "dual" not in [u.username for u in delegation.colleagues_for(people.approver2, signoff)]


def test_a_manager_reassigns_and_others_may_not(deployed, people):
    case, signoff = sequential_first_signoff(people)
    tasks.claim(people.approver2, signoff.id)
    with pytest.raises(NotAuthorized):
        delegation.reassign(people.approver3, signoff.id, "member1")
    delegation.reassign(people.admin, signoff.id, "member1")
    assert signoff.assignee_id == people.member1.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.reassigned"))
    assert (event.actor_name, event.payload["from"], event.payload["to"]) == ("admin", "approver2", "member1")


def test_a_member_never_hands_a_vote_on_and_the_administrator_gives_it_only_to_a_member_who_may_vote(
    deployed, people
):
    """A vote whose member cannot cast it (gone, unqualified) would hold the committee for ever: the
    administrator gives it to another member who may vote on the case and holds no vote of this round."""
    case = case_routed("committee", people.officer)
    vote = db.session.scalar(
        select(HumanTask).where(HumanTask.instance_id == case.id, HumanTask.assignee_id == people.member1.id)
    )
    with pytest.raises(NotAuthorized):
        delegation.delegate(people.member1, vote.id, "member2")
    assert delegation.colleagues_for(people.member1, vote) == []
    with pytest.raises(Conflict) as holding:  # one member, one vote
        delegation.reassign(people.admin, vote.id, "member2")
    assert "member2" in holding.value.message
    db.session.add(UserGroup(user_id=people.officer.id, group_code="committee"))
    db.session.commit()
    db.session.refresh(people.officer)
    with pytest.raises(SegregationOfDutiesViolation):  # the officer who worked the case
        delegation.reassign(people.admin, vote.id, "officer")
    users.create_user(
        "member3", "approver", PASSWORD, authority_level=2, groups=("committee",), actor=people.admin
    )
    qualifications.record(
        people.admin, "member3", "CQ-TEST-member3", "2099-12-31"
    )  # joined after the round began
    assert [u.username for u in delegation.reassign_targets(people.admin, vote)] == ["member3"]
    assert delegation.reassign_targets(people.member2, vote) == []  # managers only
    delegation.reassign(people.admin, vote.id, "member3")
    member3 = users.get_by_username("member3")
    assert vote.assignee_id == member3.id and vote.id in [t.id for t in tasks.sign_off_inbox(member3).rows]
    with pytest.raises(NotAuthorized):
        tasks.complete(people.member1, vote.id, {"decision": "approve"})
    tasks.complete(member3, vote.id, {"decision": "approve"})
    for member in (people.member2, people.cro):
        tasks.complete(member, _vote_of(case.id, member).id, {"decision": "approve"})
    db.session.refresh(case)
    assert case.summary["committee_result"] == "approved" and case.summary["committee"]["cast"] == 3
    counted = engine.task_data(
        deployment.bundle_for(case.definition),
        case.state,
        open_task(case.id, "compliance_checklist").task_uuid,
    )["votes"]
    assert sorted(v["member"] for v in counted) == [
        "cro",
        "member2",
        "member3",
    ]  # the vote counts as member3's


def _vote_of(instance_id: int, user) -> HumanTask:
    return db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id,
            HumanTask.state == "ready",
            HumanTask.task_spec == "committee_vote",
            HumanTask.assignee_id == user.id,
        )
    )


def test_a_colleague_without_a_valid_qualification_is_neither_offered_nor_accepted(deployed, people):
    case, signoff = sequential_first_signoff(people)
    db.session.execute(
        delete(TrainingCompletion).where(TrainingCompletion.user_id == people.member1.id, approval_passes())
    )
    db.session.commit()
    assert "member1" not in [u.username for u in delegation.colleagues_for(people.approver2, signoff)]
    before = snapshot(case.id)
    with pytest.raises(InsufficientAuthority) as caught:
        delegation.delegate(people.approver2, signoff.id, "member1")
    assert "member1" in caught.value.message
    assert snapshot(case.id) == before
