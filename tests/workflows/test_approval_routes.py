"""Every route through rules/approval_authority.dmn: one level, sequential levels, the credit
committee (quorum, majority, veto), driven through the services as the people involved."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select, update

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, HumanTask
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import tasks
from tests.factories import PASSWORD, case_routed, compliance_sign_off, review, snapshot, trained

APPROVE = {"decision": "approve", "comment": "同意"}


def ready(instance_id: int, spec: str) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(
                HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
            )
            .order_by(HumanTask.id)
        )
    )


def votes_by_member(instance_id: int) -> dict[str, HumanTask]:
    return {t.assignee.username: t for t in ready(instance_id, "committee_vote")}


def outcome(instance) -> tuple:
    db.session.refresh(instance)
    return instance.status, instance.outcome


def test_a_small_good_credit_needs_one_branch_approver(deployed, people):
    case = case_routed("single", people.officer)
    [signoff] = ready(case.id, "approval_signoff")
    assert signoff.required_level == 1 and case.summary["final_level"] == 1
    tasks.complete(people.approver1, signoff.id, APPROVE)
    compliance_sign_off(case, people.compliance)
    assert outcome(case) == ("completed", "approved")


def test_sequential_levels_head_office_then_chief_credit_officer(deployed, people):
    case = case_routed("sequential", people.officer)
    [first] = ready(case.id, "approval_signoff")
    assert (first.required_level, case.summary["final_level"]) == (2, 3)
    tasks.complete(people.approver2, first.id, {"decision": "approve", "comment": "总行同意，报首席信贷官"})
    assert outcome(case) == ("running", None)
    [second] = ready(case.id, "approval_signoff")
    assert second.required_level == 3
    # the head-office approver cannot sign the next level, nor sign twice
    with pytest.raises(NotAuthorized):
        tasks.complete(people.approver2, second.id, APPROVE)
    shown = tasks.open_task(people.approver3, second.id).data
    assert shown["signed_levels"] == [{"level": 2, "comment": "总行同意，报首席信贷官"}]
    tasks.complete(people.approver3, second.id, APPROVE)
    compliance_sign_off(case, people.compliance)
    assert outcome(case) == ("completed", "approved")


def test_a_reject_at_the_first_level_ends_the_sequence(deployed, people):
    case = case_routed("sequential", people.officer)
    tasks.complete(
        people.approver2,
        ready(case.id, "approval_signoff")[0].id,
        {"decision": "reject", "comment": "担保不足"},
    )
    assert outcome(case) == ("completed", "rejected")
    assert ready(case.id, "approval_signoff") == []


def test_the_committee_votes_and_a_majority_approves(deployed, people):
    case = case_routed("committee", people.officer)
    assert ready(case.id, "approval_signoff") == []
    votes = votes_by_member(case.id)
    assert set(votes) == {"member1", "member2", "cro"}
    assert all(t.lane == "committee" for t in votes.values())
    # each vote is its member's: nobody else may cast it
    with pytest.raises(NotAuthorized):
        tasks.complete(people.member1, votes["member2"].id, APPROVE)
    tasks.complete(people.member1, votes["member1"].id, {"decision": "approve", "comment": "同意"})
    tasks.complete(people.member2, votes["member2"].id, {"decision": "reject", "comment": "行业风险高"})
    assert outcome(case) == ("running", None)
    tasks.complete(people.cro, votes["cro"].id, {"decision": "approve", "comment": "同意"})
    compliance_sign_off(case, people.compliance)
    assert outcome(case) == ("completed", "approved")
    committee = case.summary["committee"]
    assert (committee["result"], committee["approve"], committee["reject"], committee["cast"]) == (
        "approved",
        2,
        1,
        3,
    )
    recorded = db.session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == case.id, AuditEvent.event_type == "task.completed")
    ).all()
    comments = {
        e.actor_name: e.payload["data"]["comment"] for e in recorded if e.payload["task"] == "committee_vote"
    }
    assert comments == {"member1": "同意", "member2": "行业风险高", "cro": "同意"}


def test_a_majority_against_rejects(deployed, people):
    case = case_routed("committee", people.officer)
    votes = votes_by_member(case.id)
    tasks.complete(people.member1, votes["member1"].id, {"decision": "reject", "comment": "不同意"})
    tasks.complete(people.member2, votes["member2"].id, {"decision": "reject", "comment": "不同意"})
    tasks.complete(people.cro, votes["cro"].id, APPROVE)
    assert outcome(case) == ("completed", "rejected")
    assert case.summary["committee_result"] == "rejected"


def test_the_chief_risk_officers_veto_stops_the_vote_at_once(deployed, people):
    case = case_routed("committee", people.officer)
    votes = votes_by_member(case.id)
    tasks.complete(people.member1, votes["member1"].id, APPROVE)
    tasks.complete(people.cro, votes["cro"].id, {"decision": "veto", "comment": "集团关联风险过高"})
    assert outcome(case) == ("completed", "rejected")
    assert case.summary["committee_result"] == "vetoed" and case.summary["committee"]["vetoed_by"] == ["cro"]
    db.session.refresh(votes["member2"])
    assert votes["member2"].state == "cancelled"  # the vote still open was stopped


def test_a_veto_by_a_member_without_it_is_refused_and_changes_nothing(deployed, people):
    case = case_routed("committee", people.officer)
    votes = votes_by_member(case.id)
    before = snapshot(case.id)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(people.member1, votes["member1"].id, {"decision": "veto", "comment": "否决"})
    assert list(caught.value.errors) == ["decision"]
    assert snapshot(case.id) == before


def test_without_quorum_the_committee_votes_again(deployed, people):
    case = case_routed("committee", people.officer)
    votes = votes_by_member(case.id)
    tasks.complete(people.member1, votes["member1"].id, {"decision": "abstain", "comment": "回避"})
    tasks.complete(people.member2, votes["member2"].id, {"decision": "abstain", "comment": "材料不足"})
    tasks.complete(people.cro, votes["cro"].id, APPROVE)
    db.session.refresh(case)
    assert case.status == "running" and case.summary["committee_result"] == "no_quorum"
    again = votes_by_member(case.id)
    assert set(again) == {"member1", "member2", "cro"} and not set(t.id for t in again.values()) & {
        t.id for t in votes.values()
    }
    for name in ("member1", "member2", "cro"):
        tasks.complete(getattr(people, name), again[name].id, APPROVE)
    compliance_sign_off(case, people.compliance)
    assert outcome(case) == ("completed", "approved")


def test_a_committee_member_who_investigated_the_case_gets_no_vote_and_the_quorum_counts_the_others(
    deployed, people
):
    """A vote 审贷分离 would refuse was once opened for the investigator: the others voted and the case waited
    for it for ever. Now the committee is only who may vote on the case, and its quorum counts them."""
    dual, _ = users.create_user("li.officer", "officer", PASSWORD, groups=("committee",), actor=people.admin)
    qualifications.record(people.admin, "li.officer", "CQ-2026-0300", "2099-12-31")
    trained(dual)
    case = case_routed("committee", dual)  # an officer on the committee opened and worked the case
    votes = votes_by_member(case.id)
    assert set(votes) == {"member1", "member2", "cro"}
    assert not [t for t in tasks.my_tasks(dual).rows if t.instance_id == case.id]
    tasks.complete(people.member1, votes["member1"].id, APPROVE)
    tasks.complete(people.member2, votes["member2"].id, {"decision": "reject", "comment": "行业风险"})
    tasks.complete(people.cro, votes["cro"].id, APPROVE)
    db.session.refresh(case)
    assert case.summary["committee_result"] == "approved"
    assert (case.summary["committee"]["members"], case.summary["committee"]["cast"]) == (3, 3)
    compliance_sign_off(case, people.compliance)
    assert outcome(case) == ("completed", "approved")


def test_committee_votes_are_in_each_members_sign_off_inbox(deployed, people):
    case = case_routed("committee", people.officer)
    votes = votes_by_member(case.id)
    assert [t.id for t in tasks.sign_off_inbox(people.cro).rows] == [votes["cro"].id]
    assert votes["member1"].id in [t.id for t in tasks.sign_off_inbox(people.member1).rows]
    assert votes["cro"].id not in [t.id for t in tasks.sign_off_inbox(people.member1).rows]


def test_a_resubmission_shows_the_approver_what_changed(deployed, people):
    case = case_routed("single", people.officer)
    first_limit = case.summary["proposed_limit"]
    tasks.complete(
        people.approver1,
        ready(case.id, "approval_signoff")[0].id,
        {
            "decision": "return",
            "comment": "额度过高，请加担保",
            "fields_to_fix": ["proposed_limit", "proposed_controls"],
        },
    )
    [again] = ready(case.id, "review_proposal")
    officer_view = tasks.open_task(people.officer, again.id)
    assert officer_view.data["returned_fields"] == ["proposed_limit", "proposed_controls"]
    assert officer_view.data["approver_comment"] == "额度过高，请加担保"
    assert officer_view.changes == []  # only an approval shows a diff
    tasks.complete(
        people.officer,
        again.id,
        review(case, proposed_limit=3_000_000, proposed_controls="追加法人代表连带责任保证"),
    )
    [signoff] = ready(case.id, "approval_signoff")
    changes = {c.field: (c.before, c.after) for c in tasks.open_task(people.approver1, signoff.id).changes}
    assert changes == {
        "proposed_limit": (first_limit, 3_000_000),
        "proposed_controls": ("按季报送财务报表", "追加法人代表连带责任保证"),
    }


def test_a_committee_vote_is_the_members_own_and_never_goes_back_to_the_pool(deployed, people):
    """The cro put his vote back in the pool and another member cast it as well as his own: two people
    decided a committee of three. A vote cannot be put back, and nobody but its member casts it."""
    case = case_routed("committee", people.officer)
    votes = votes_by_member(case.id)
    with force_locale("en"), pytest.raises(NotAuthorized, match="cannot be put back"):
        tasks.unclaim(people.cro, votes["cro"].id)
    assert db.session.get(HumanTask, votes["cro"].id).assignee_id == people.cro.id
    with pytest.raises(NotAuthorized):
        tasks.claim(people.member1, votes["cro"].id)
    with pytest.raises(NotAuthorized):
        tasks.complete(people.member1, votes["cro"].id, {"decision": "approve", "comment": "同意"})
    db.session.execute(update(HumanTask).where(HumanTask.id == votes["cro"].id).values(assignee_id=None))
    db.session.commit()  # a vote that lost its member (an older row) is cast by nobody from the pool
    with force_locale("en"), pytest.raises(NotAuthorized, match="member it was given to"):
        tasks.complete(people.member1, votes["cro"].id, {"decision": "approve", "comment": "同意"})


def test_the_quorum_counts_every_member_who_may_vote_on_the_case_and_no_one_excluded_from_it(
    deployed, people
):
    """The quorum's denominator is the committee as it may vote on this case — every active, qualified member
    clear of it — not the votes cast: two approvals among four who may vote is short of a 66% quorum, and the
    officer on the committee who opened the case is neither counted nor able to vote."""
    dual, _ = users.create_user("li.officer", "officer", PASSWORD, groups=("committee",), actor=people.admin)
    qualifications.record(people.admin, "li.officer", "CQ-2026-0301", "2099-12-31")
    trained(dual)
    users.create_user(
        "zhao", "approver", PASSWORD, authority_level=3, groups=("committee",), actor=people.admin
    )
    qualifications.record(people.admin, "zhao", "CQ-2026-0302", "2099-12-31")
    zhao = users.get_by_username("zhao")
    case = case_routed("committee", dual)
    votes = votes_by_member(case.id)
    assert set(votes) == {"member1", "member2", "cro", "zhao"}  # li.officer opened it: no vote
    with pytest.raises(NotAuthorized):
        tasks.check_may_act(dual, votes["member1"], record_refusal=False)  # nor may cast another's
    tasks.complete(people.member1, votes["member1"].id, APPROVE)
    tasks.complete(people.member2, votes["member2"].id, APPROVE)
    tasks.complete(people.cro, votes["cro"].id, {"decision": "abstain", "comment": "回避"})
    tasks.complete(zhao, votes["zhao"].id, {"decision": "abstain", "comment": "材料不足"})
    db.session.refresh(case)
    committee = case.summary["committee"]
    assert (committee["result"], committee["members"], committee["cast"]) == ("no_quorum", 4, 2)  # 2/4 < 0.66
    again = votes_by_member(case.id)
    assert set(again) == {"member1", "member2", "cro", "zhao"}
    for name, user in (
        ("member1", people.member1),
        ("member2", people.member2),
        ("cro", people.cro),
        ("zhao", zhao),
    ):
        tasks.complete(
            user, again[name].id, APPROVE if name != "zhao" else {"decision": "reject", "comment": "否"}
        )
    db.session.refresh(case)
    assert (
        case.summary["committee"]["result"],
        case.summary["committee"]["members"],
        case.summary["committee"]["cast"],
    ) == ("approved", 4, 4)
