"""The case page and the task page each gather what their template shows in one service call, with the
authorization of the services they gather from: what an officer, an approver and a manager are offered."""

from __future__ import annotations

import pytest

from app.errors import NotAuthorized
from app.services.audit import documents
from app.services.cases import withdrawal
from app.services.cases.case_page import case_page
from app.services.cases.task_page import task_page
from tests.factories import case_at, case_routed, open_task

CASE_PAGE_NAMES = {
    "view",
    "documents",
    "offered",
    "reassign",
    "excusable",
    "can_withdraw",
    "withdrawn",
    "document_languages",
    "attachments",
}


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def test_the_case_page_offers_the_officer_the_withdrawal_and_a_manager_the_reassignment(deployed, people):
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")

    officer = case_page(people.officer, case.id)
    assert set(officer.names()) == CASE_PAGE_NAMES
    assert officer.view.instance.id == case.id and signoff.id in [t.id for t in officer.view.tasks]
    assert officer.can_withdraw and officer.withdrawn is None
    assert officer.reassign == {} and officer.excusable == set()
    assert officer.offered == ("credit_memo",)  # the certificate only once approved and decided
    assert officer.documents == [] and officer.document_languages == documents.LANGUAGES

    approver = case_page(people.approver1, case.id)
    assert not approver.can_withdraw and approver.reassign == {} and approver.offered == officer.offered

    manager = case_page(people.admin, case.id)
    assert not manager.can_withdraw
    assert set(manager.reassign) == {signoff.id}  # each open task, with whom it may go to
    assert {u.username for u in manager.reassign[signoff.id]} >= {"approver1", "approver2", "approver3"}


def test_the_page_of_a_withdrawn_case_says_who_withdrew_it_and_offers_nothing_more(deployed, people):
    case = case_at("statements", people.officer)
    withdrawal.withdraw(people.officer, case.id, "客户不再需要")
    page = case_page(people.officer, case.id)
    assert page.withdrawn is not None and page.withdrawn.payload["reason"] == "客户不再需要"
    assert page.withdrawn.actor_id == people.officer.id
    assert not page.can_withdraw and page.reassign == {}


def test_the_case_page_keeps_the_case_services_refusal(deployed, people):
    case = case_at("intake", people.officer)
    with pytest.raises(NotAuthorized):
        case_page(people.designer, case.id)


def test_the_task_page_offers_the_officer_colleagues_and_the_withdrawal_and_the_approver_other_approvers(
    deployed, people
):
    case = case_at("statements", people.officer)
    statements = open_task(case.id, "financial_statements")
    officer = task_page(people.officer, statements.id)
    assert set(officer.names()) == {"view", "colleagues", "can_withdraw", "documents"}
    assert officer.view.task.id == statements.id and officer.can_withdraw
    assert officer.documents is None  # an application's documents are on its case page, not its tasks
    assert "officer2" in {u.username for u in officer.colleagues}

    routed = case_routed("single", people.officer, 2)
    signoff = open_task(routed.id, "approval_signoff")
    approver = task_page(people.approver1, signoff.id)
    assert approver.view.task.id == signoff.id and not approver.can_withdraw
    colleagues = {u.username for u in approver.colleagues}
    assert "approver1" not in colleagues and {"approver2", "approver3"} <= colleagues
    with pytest.raises(NotAuthorized):
        task_page(people.officer, signoff.id)
