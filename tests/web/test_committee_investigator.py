"""A committee that can always finish: an investigator who sits on the credit committee gets no vote (审贷分离),
the quorum is counted among the members who may vote, the case completes with their votes, and the administrator
can hand a vote to another member who may vote — never to the investigator or to a member already voting, each
refusal naming why (issue 13, "A committee that can never finish")."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import delete, select

from app.errors import Conflict, NotAuthorized, SegregationOfDutiesViolation
from app.extensions import db
from app.models import AuditEvent, HumanTask, TrainingCompletion
from app.services.admin import users
from app.services.approval import qualifications, staffing
from app.services.cases import cases, delegation, tasks
from tests.factories import (
    PASSWORD,
    ROUTES,
    approval_passes,
    case_routed,
    compliance_sign_off,
    intake,
    open_task,
    review,
    snapshot,
    statements,
    trained,
)
from tests.web.test_pages import text_of

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


@pytest.fixture
def investigator(people):
    """An officer who also sits on the credit committee, qualified to vote."""
    user, _ = users.create_user(
        "li", "officer", PASSWORD, groups=("officer", "committee"), actor=people.admin
    )
    qualifications.record(people.admin, "li", "CQ-2026-0401", "2099-12-31")
    trained(user)
    return user


def investigated_by(investigator, officer):
    """A committee case ``officer`` opened and ``investigator`` worked (the statements and the proposal)."""
    shape = ROUTES["committee"]
    case = cases.start_case(officer, "credit_application")
    tasks.complete(
        officer,
        open_task(case.id, "application_intake").id,
        intake(1, size=shape["size"], requested_amount=shape["requested_amount"]),
    )
    tasks.complete(
        investigator,
        open_task(case.id, "financial_statements").id,
        {"statements": statements(health=shape["health"])},
    )
    tasks.complete(investigator, open_task(case.id, "review_proposal").id, review(case))
    db.session.refresh(case)
    assert case.summary["approval_route"] == "committee"
    return case


def test_the_investigator_on_the_committee_gets_no_vote_and_the_case_completes_with_the_others(
    deployed, people, investigator
):
    case = investigated_by(investigator, people.officer)
    ballot = votes(case.id)
    assert set(ballot) == {"member1", "member2", "cro"}  # no vote for li, who investigated it
    assert staffing.of_case(case.id) == []  # nothing waits for anyone
    assert tasks.sign_off_inbox(investigator).rows == []
    with pytest.raises(NotAuthorized):  # nor may they cast another member's
        tasks.complete(investigator, ballot["member1"].id, APPROVE)
    for name in ("member1", "member2", "cro"):
        tasks.complete(getattr(people, name), ballot[name].id, APPROVE)
    db.session.refresh(case)
    committee = case.summary["committee"]
    assert (committee["result"], committee["members"], committee["cast"]) == ("approved", 3, 3)
    compliance_sign_off(case, people.compliance)
    assert (case.status, case.outcome) == ("completed", "approved")


def test_a_vote_goes_to_another_member_who_may_vote_and_never_to_the_investigator(
    deployed, people, investigator
):
    case = investigated_by(investigator, people.officer)
    vote = votes(case.id)["member1"]
    before = snapshot(case.id)
    with force_locale("en"), pytest.raises(SegregationOfDutiesViolation) as worked:
        delegation.reassign(people.admin, vote.id, "li")
    assert "li" in worked.value.message and "investigated" in worked.value.message
    with force_locale("en"), pytest.raises(Conflict) as holding:  # one member, one vote
        delegation.reassign(people.admin, vote.id, "member2")
    assert "already holds a vote" in holding.value.message
    with force_locale("en"), pytest.raises(NotAuthorized) as outside:
        delegation.reassign(people.admin, vote.id, "approver3")
    assert "committee" in outside.value.message
    assert snapshot(case.id).task_rows == before.task_rows  # nothing moved
    assert "li" not in [u.username for u in delegation.reassign_targets(people.admin, vote)]
    users.create_user(
        "member3", "approver", PASSWORD, authority_level=2, groups=("committee",), actor=people.admin
    )
    qualifications.record(people.admin, "member3", "CQ-TEST-member3", "2099-12-31")
    member3 = users.get_by_username("member3")
    assert [u.username for u in delegation.reassign_targets(people.admin, vote)] == ["member3"]
    delegation.reassign(people.admin, vote.id, "member3")
    tasks.complete(member3, vote.id, APPROVE)
    ballot = votes(case.id)
    tasks.complete(people.member2, ballot["member2"].id, APPROVE)
    tasks.complete(people.cro, ballot["cro"].id, {"decision": "reject", "comment": "行业风险"})
    db.session.refresh(case)
    assert (case.summary["committee_result"], case.summary["committee"]["cast"]) == ("approved", 3)
    moved = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "task.reassigned"))
    assert (moved.payload["from"], moved.payload["to"]) == ("member1", "member3")


def test_the_administrators_page_refuses_the_investigator_with_the_reason(as_user, people, investigator):
    case = investigated_by(investigator, people.officer)
    vote = votes(case.id)["member1"]
    admin = as_user("admin")
    assert (
        admin.get(f"/cases/{case.id}").status_code == 200
    )  # offers nobody: every member who may vote holds one
    refused = admin.post(f"/tasks/{vote.id}/delegate", data={"to": "li", "reassign": "1"})
    assert (
        refused.status_code == 403
        and "Segregation of duties" in text_of(refused)
        and "li" in text_of(refused)
    )
    assert votes(case.id)["member1"].id == vote.id


def test_the_case_page_offers_the_administrator_to_excuse_it(as_user, people):
    case = case_routed("committee", people.officer)
    vote = votes(case.id)["member2"]
    db.session.execute(
        delete(TrainingCompletion).where(TrainingCompletion.user_id == people.member2.id, approval_passes())
    )
    db.session.commit()  # mid-round, and every other member holds a vote: nobody to hand it to
    admin = as_user("admin")
    assert f"/tasks/{vote.id}/excuse" in text_of(admin.get(f"/cases/{case.id}"))
    assert f"/tasks/{vote.id}/excuse" not in text_of(as_user("officer").get(f"/cases/{case.id}"))
    assert as_user("cro").post(f"/tasks/{vote.id}/excuse").status_code == 403
    done = admin.post(f"/tasks/{vote.id}/excuse")
    assert done.status_code == 302
    page = text_of(admin.get(f"/cases/{case.id}"))
    assert "recused" in page.lower()
