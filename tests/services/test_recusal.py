"""A committee can always finish: a vote whose member may no longer vote on the case, with no member free to take
it over, is excused by the administrator (回避); its seat is not counted and the others decide."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select

from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, HumanTask, TrainingCompletion
from app.services.approval import staffing
from app.services.cases import delegation, recusal, tasks
from tests.factories import approval_passes, case_routed, compliance_sign_off, open_task, snapshot

APPROVE = {"decision": "approve", "comment": "同意"}


def votes(instance_id: int) -> dict[str, HumanTask]:
    return {
        t.assignee.username: t
        for t in db.session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id,
                HumanTask.task_spec == "committee_vote",
                HumanTask.state == "ready",
            )
        )
    }


def lapse(user) -> None:
    db.session.execute(
        delete(TrainingCompletion).where(TrainingCompletion.user_id == user.id, approval_passes())
    )
    db.session.commit()


def test_a_vote_nobody_may_take_over_is_excused_and_the_members_who_may_vote_decide(deployed, people):
    case = case_routed("committee", people.officer)
    ballot = votes(case.id)
    lapse(people.member2)  # mid-round: member2 may no longer vote, and every other member holds a vote
    assert staffing.recheck().opened == [ballot["member2"].id]
    assert delegation.reassign_targets(people.admin, ballot["member2"]) == []  # nobody to hand it to
    with force_locale("en"):
        assert "excuses it" in staffing.of_case(case.id)[0].reason
    assert recusal.may_excuse(people.admin, ballot["member2"])
    assert not recusal.may_excuse(people.admin, ballot["member1"]) and not recusal.may_excuse(
        people.cro, ballot["member2"]
    )
    recusal.excuse(people.admin, ballot["member2"].id)
    assert staffing.of_case(case.id) == []
    tasks.complete(people.member1, ballot["member1"].id, APPROVE)
    tasks.complete(people.cro, ballot["cro"].id, APPROVE)
    db.session.refresh(case)
    committee = case.summary["committee"]
    assert (committee["result"], committee["members"], committee["cast"], committee["recused"]) == (
        "approved",
        2,
        2,
        1,
    )  # the quorum counted among the two who may vote
    excused = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.excused"))
    assert (excused.actor_name, excused.payload["member"]) == ("admin", "member2")
    compliance_sign_off(case, people.compliance)
    assert (case.status, case.outcome) == ("completed", "approved")


def test_only_the_administrator_excuses_and_only_a_vote_whose_member_may_not_vote(deployed, people):
    case = case_routed("committee", people.officer)
    ballot = votes(case.id)
    before = snapshot(case.id)
    with force_locale("en"):
        with pytest.raises(NotAuthorized):
            recusal.excuse(people.cro, ballot["member1"].id)
        with pytest.raises(Conflict) as still:
            recusal.excuse(people.admin, ballot["member1"].id)
        assert "may vote on this case" in still.value.message
        assert snapshot(case.id) == before
        case2 = case_routed("single", people.officer, index=2)
        with pytest.raises(InvalidInput):
            recusal.excuse(people.admin, open_task(case2.id, "approval_signoff").id)
