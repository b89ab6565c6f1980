"""The committee vote and the sign-offs as the people involved see them in the browser's pages."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import delete, select

from app.extensions import db
from app.models import HumanTask, TrainingCompletion
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import tasks
from tests.factories import PASSWORD, approval_passes, case_routed, open_task, review, snapshot
from tests.web.test_pages import text_of


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


def test_members_vote_on_their_page_and_the_case_shows_every_vote(as_user, people):
    case = case_routed("committee", people.officer)
    ballot = votes(case.id)
    cro = as_user("cro")
    page = text_of(cro.get(f"/tasks/{ballot['cro'].id}"))
    assert "Committee vote" in page and "Veto" in page and "Abstain" in page
    inbox = cro.get("/inbox")
    assert inbox.status_code == 200 and f"/tasks/{ballot['cro'].id}" in text_of(inbox)
    for name, decision, comment in (
        ("member1", "approve", "Agreed"),
        ("member2", "reject", "Sector risk"),
        ("cro", "approve", "Agreed with covenants"),
    ):
        client = cro if name == "cro" else as_user(name)
        response = client.post(
            f"/tasks/{ballot[name].id}",
            data={"decision": decision, "comment": comment, "_version": str(snapshot(case.id).version)},
        )
        assert response.status_code == 302, text_of(response)
    shown = text_of(as_user("officer").get(f"/cases/{case.id}"))
    assert "Sign-offs" in shown and "Sector risk" in shown and "Agreed with covenants" in shown
    assert "2 for, 1 against, 0 abstaining, 3 of 3 members voting" in shown


def test_a_veto_without_the_right_is_422_naming_the_field_and_stores_nothing(as_user, people):
    case = case_routed("committee", people.officer)
    ballot = votes(case.id)
    member1 = as_user("member1")
    before = snapshot(case.id)
    response = member1.post(
        f"/tasks/{ballot['member1'].id}",
        data={"decision": "veto", "comment": "No", "_version": str(before.version)},
    )
    assert response.status_code == 422
    assert "Only members of the Chief risk officer group may choose “Veto”" in text_of(response)
    assert snapshot(case.id) == before
    assert 'value="veto"' not in text_of(member1.get(f"/tasks/{ballot['member1'].id}"))  # not offered to them
    assert 'value="veto"' in text_of(as_user("cro").get(f"/tasks/{ballot['cro'].id}"))


def test_the_approver_sees_the_changes_of_a_resubmission_on_the_sign_off_page(as_user, people):
    case = case_routed("single", people.officer)
    approver = as_user("approver1")
    signoff = open_task(case.id, "approval_signoff")
    response = approver.post(
        f"/tasks/{signoff.id}",
        data={
            "decision": "return",
            "comment": "Add a guarantee",
            "fields_to_fix": "proposed_controls",
            "_version": str(snapshot(case.id).version),
        },
    )
    assert response.status_code == 302, text_of(response)
    officer = as_user("officer")
    again = open_task(case.id, "review_proposal")
    page = text_of(officer.get(f"/tasks/{again.id}"))
    assert "Add a guarantee" in page and "Changed since the last round" not in page
    tasks.complete(
        people.officer, again.id, review(case, proposed_controls="Personal guarantee of the owner")
    )
    page = text_of(approver.get(f"/tasks/{open_task(case.id, 'approval_signoff').id}"))
    assert "Changed since the last round" in page and "Personal guarantee of the owner" in page


def test_a_committee_nobody_may_vote_on_shows_why_on_its_page_and_in_the_lists_until_the_admin_qualifies_one(
    as_user, people
):
    db.session.execute(
        delete(TrainingCompletion).where(
            TrainingCompletion.user_id.in_([people.member1.id, people.member2.id, people.cro.id]),
            approval_passes(),
        )
    )
    db.session.commit()
    case = case_routed("committee", people.officer)
    page = text_of(as_user("officer").get(f"/cases/{case.id}"))
    assert "Waiting for: A committee member who may vote" in page
    assert (
        "The case cannot go on at" in page
        and "the administrator must add a member to the committee group" in page
    )
    admin = as_user("admin")
    listed = text_of(admin.get("/tasks"))
    assert "Cases waiting for someone who may act" in listed and case.reference in listed
    assert case.reference not in text_of(
        as_user("officer2").get("/tasks")
    )  # not theirs, not an administrator
    response = admin.post(
        f"/admin/users/{people.cro.id}/qualifications",
        data={"certificate": "CQ-2026-0900", "valid_until": "2099-12-31"},
    )
    assert response.status_code == 302
    vote = votes(case.id)["cro"]
    assert f"/tasks/{vote.id}" in text_of(as_user("cro").get("/inbox"))
    page = text_of(as_user("officer").get(f"/cases/{case.id}"))
    assert "The case cannot go on at" not in page and "Committee vote" in page
    assert "Cases waiting for someone who may act" not in text_of(admin.get("/tasks"))


def test_the_administrator_reassigns_a_vote_from_the_case_page_to_a_member_without_one(as_user, people):
    case = case_routed("committee", people.officer)
    ballot = votes(case.id)
    users.create_user(
        "member3", "approver", PASSWORD, authority_level=2, groups=("committee",), actor=people.admin
    )
    qualifications.record(people.admin, "member3", "CQ-TEST-member3", "2099-12-31")
    admin = as_user("admin")
    page = text_of(admin.get(f"/cases/{case.id}"))
    assert '<option value="member3">' in page and '<option value="member2">' not in page  # one vote each
    response = admin.post(f"/tasks/{ballot['member1'].id}/delegate", data={"to": "member3", "reassign": "1"})
    assert response.status_code == 302
    assert f"/tasks/{ballot['member1'].id}" in text_of(as_user("member3").get("/inbox"))


def choices(html: str) -> list[str]:
    """The labels of the vote's radio buttons, in order."""
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r'<input[^>]*name="decision"[^>]*>\s*(.*?)</label>', html, flags=re.S)
    ]


def test_the_vote_reads_as_a_committee_votes_in_each_language_and_the_case_shows_it_so(as_user, people):
    case = case_routed("committee", people.officer)
    ballot = votes(case.id)
    for language, cro_sees, member_sees in (
        ("zh", ["同意", "不同意", "弃权", "一票否决"], ["同意", "不同意", "弃权"]),
        ("en", ["Approve", "Reject", "Abstain", "Veto"], ["Approve", "Reject", "Abstain"]),
    ):
        cro, member = as_user("cro"), as_user("member1")
        cro.environ_base["HTTP_ACCEPT_LANGUAGE"] = member.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        assert choices(text_of(cro.get(f"/tasks/{ballot['cro'].id}"))) == cro_sees
        assert choices(text_of(member.get(f"/tasks/{ballot['member1'].id}"))) == member_sees
    member2 = as_user("member2")
    response = member2.post(
        f"/tasks/{ballot['member2'].id}",
        data={"decision": "reject", "comment": "行业风险", "_version": str(snapshot(case.id).version)},
    )
    assert response.status_code == 302, text_of(response)
    officer = as_user("officer")
    assert ">Reject</span>" in text_of(officer.get(f"/cases/{case.id}"))
    officer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh"
    page = text_of(officer.get(f"/cases/{case.id}"))
    assert (
        ">不同意</span>" in page and ">否决</span>" not in page
    )  # a vote against, not a sign-off's rejection


def signed_words(page: str) -> list[str]:
    """The decisions of the case page's sign-off record, as it words them."""
    return re.findall(r'<span class="decision decision-\w+">([^<]*)</span>', page)


def history_text(client, case_id: int, language: str) -> str:
    pdf = client.get(f"/cases/{case_id}/history.pdf?lang={language}")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_data())).pages)


def test_a_sign_off_reads_in_its_own_forms_words_and_a_vote_in_the_votes_on_the_page_and_in_the_history(
    as_user, people
):
    approved, rejected = case_routed("single", people.officer), case_routed("single", people.officer)
    approver = as_user("approver1")
    for case, decision in ((approved, "approve"), (rejected, "reject")):
        response = approver.post(
            f"/tasks/{open_task(case.id, 'approval_signoff').id}",
            data={"decision": decision, "comment": "意见", "_version": str(snapshot(case.id).version)},
        )
        assert response.status_code == 302, text_of(response)
    voted = case_routed("committee", people.officer)
    response = as_user("member2").post(
        f"/tasks/{votes(voted.id)['member2'].id}",
        data={"decision": "reject", "comment": "行业风险", "_version": str(snapshot(voted.id).version)},
    )
    assert response.status_code == 302, text_of(response)
    auditor = as_user("compliance")
    for language, words in (
        ("zh", {approved: "批准", rejected: "否决", voted: "不同意"}),
        ("en", {approved: "Approve", rejected: "Reject", voted: "Reject"}),
    ):
        auditor.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        for case, word in words.items():
            assert signed_words(text_of(auditor.get(f"/cases/{case.id}"))) == [word]
        assert "同意" not in history_text(auditor, approved.id, language)  # a sign-off is not a vote
    assert "不同意" in history_text(auditor, voted.id, "zh") and "否决" in history_text(
        auditor, rejected.id, "zh"
    )
