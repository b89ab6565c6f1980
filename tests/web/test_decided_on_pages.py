"""The approver's sign-off and the committee member's vote show what is decided on without the memo; and a
committee member without an authority level is told what they may do, never "authority level 0"."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.errors import InsufficientAuthority
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import delegation, tasks
from tests.factories import PASSWORD, case_routed, open_task
from tests.web.test_committee_pages import votes
from tests.web.test_pages import text_of


def decided_on(page: str) -> str:
    return page.split('id="decided-on"')[1].split('<form method="post" class="task-form"')[0]


def assert_the_credit_is_shown(page: str, case) -> None:
    shown = decided_on(page)
    s = case.summary
    assert s["customer_name"] in shown and s["uscc"] in shown  # the customer
    assert "Proposed limit" in shown and f"{s['proposed_limit']:,.2f}" in shown  # the amount
    assert f">{s['grade']}<" in shown and "PD" in shown and f"{s['pd'] * 100:.2f}%" in shown
    assert (
        "Z-score" in shown
        and {"safe": "Safe zone", "grey": "Grey zone", "distress": "Distress zone"}[s["z_zone"]] in shown
    )
    assert 'id="key-ratios"' in shown and "Current ratio" in shown  # the key ratios by year
    assert "Term / margin" in shown and "LPR +" in shown  # the proposal
    assert 'id="exposure"' in page and "This customer" in page.split('id="exposure"')[1]  # the exposure


def test_the_sign_off_page_shows_the_credit_decided_on(as_user, people):
    case = case_routed("single", people.officer)
    page = text_of(as_user("approver1").get(f"/tasks/{open_task(case.id, 'approval_signoff').id}"))
    assert_the_credit_is_shown(page, case)


def test_the_committee_vote_page_shows_the_credit_decided_on(as_user, people):
    case = case_routed("committee", people.officer)
    page = text_of(as_user("cro").get(f"/tasks/{votes(case.id)['cro'].id}"))
    assert_the_credit_is_shown(page, case)


def test_the_officers_own_tasks_do_not_repeat_it(as_user, people):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "return", "comment": "补充", "fields_to_fix": ["proposed_controls"]},
    )
    page = text_of(as_user("officer").get(f"/tasks/{open_task(case.id, 'review_proposal').id}"))
    assert 'id="decided-on"' not in page


def test_a_committee_member_without_a_level_is_told_what_they_may_do(as_user, people):
    page = text_of(as_user("cro").get("/inbox")).split('id="powers"')[1].split("</p>")[0]
    assert "credit committee" in page and "veto" in page
    assert "authority level" not in page and "(0)" not in page
    member = text_of(as_user("member1").get("/inbox")).split('id="powers"')[1].split("</p>")[0]
    assert "authority level (2)" in member and "credit committee" in member and "veto" not in member
    approver = text_of(as_user("approver1").get("/inbox")).split('id="powers"')[1].split("</p>")[0]
    assert "authority level (1)" in approver and "committee" not in approver


def test_a_refusal_for_someone_without_a_level_says_so(people, deployed):
    case = case_routed("single", people.officer)
    task = open_task(case.id, "approval_signoff")
    nolevel, _ = users.create_user(
        "zhou.nolevel", "risk_manager", PASSWORD, groups=("approver",), actor=people.admin
    )
    qualifications.record(people.admin, "zhou.nolevel", "CQ-TEST-zhou", "2099-12-31")
    with force_locale("en"):
        with pytest.raises(InsufficientAuthority) as refused:
            tasks.check_may_act(nolevel, task)
        tasks.claim(people.approver1, task.id)
        with pytest.raises(InsufficientAuthority) as handed:
            delegation.delegate(people.approver1, task.id, "zhou.nolevel")
    for message in (refused.value.message, handed.value.message):
        assert "no approval authority" in message and "level 1" in message and " 0" not in message
