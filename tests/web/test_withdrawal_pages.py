"""Withdrawing an application in the browser (from the case page or a task page, through a page that asks
for the reason and confirms) and over the API."""

from __future__ import annotations

from app.extensions import db
from app.models import ProcessInstance
from app.services.admin import users
from tests.factories import case_at, case_routed, open_task
from tests.web.test_pages import text_of

REASON = "客户已另行融资，撤回申请。"


def test_the_officer_withdraws_from_the_task_page_through_the_confirm_page(as_user, people):
    case = case_at("statements", people.officer)
    officer = as_user("officer")
    task_page = text_of(officer.get(f"/tasks/{open_task(case.id, 'financial_statements').id}"))
    assert f'href="/cases/{case.id}/withdraw"' in task_page
    confirm = officer.get(f"/cases/{case.id}/withdraw")
    assert confirm.status_code == 200 and 'id="confirm-withdraw"' in text_of(confirm)
    missing = officer.post(f"/cases/{case.id}/withdraw", data={"reason": "", "_version": case.version})
    assert missing.status_code == 422 and "A reason is required." in text_of(missing)
    done = officer.post(f"/cases/{case.id}/withdraw", data={"reason": REASON, "_version": case.version})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/cases/{case.id}")
    page = text_of(officer.get(f"/cases/{case.id}"))
    assert 'id="withdrawn"' in page and REASON in page and "status-withdrawn" in page
    assert 'id="withdraw"' not in page  # nothing more to withdraw
    assert f"/cases/{case.id}" in text_of(officer.get("/cases?status=withdrawn"))
    customer = text_of(officer.get(f"/customers/{db.session.get(ProcessInstance, case.id).customer_id}"))
    assert "status-withdrawn" in customer


def test_the_case_page_offers_it_only_to_an_officer_who_works_the_case(as_user, people):
    case = case_routed("single", people.officer)
    assert 'id="withdraw"' in text_of(as_user("officer").get(f"/cases/{case.id}"))
    for other in ("approver1", "officer2", "risk"):
        assert 'id="withdraw"' not in text_of(as_user(other).get(f"/cases/{case.id}"))
    assert as_user("approver1").post(f"/cases/{case.id}/withdraw", data={"reason": REASON}).status_code == 403


def test_a_task_of_a_withdrawn_case_answers_409_naming_the_withdrawal(as_user, people):
    case = case_at("statements", people.officer)
    task = open_task(case.id, "financial_statements")
    as_user("officer").post(f"/cases/{case.id}/withdraw", data={"reason": REASON})
    response = as_user("officer").get(f"/tasks/{task.id}")
    assert response.status_code == 409 and case.reference in text_of(response) and REASON in text_of(response)


def test_the_api_withdraws_and_then_refuses(as_user, people, client):
    case = case_at("review", people.officer)
    headers = {"Authorization": f"Bearer {users.issue_token('officer')}"}
    assert client.post(f"/api/v1/cases/{case.id}/withdraw", json={}, headers=headers).status_code == 422
    done = client.post(f"/api/v1/cases/{case.id}/withdraw", json={"reason": REASON}, headers=headers)
    assert done.status_code == 200 and (done.json["status"], done.json["outcome"]) == (
        "withdrawn",
        "withdrawn",
    )
    again = client.post(f"/api/v1/cases/{case.id}/withdraw", json={"reason": REASON}, headers=headers)
    assert again.status_code == 409 and case.reference in again.json["error"]
    task = client.get(f"/api/v1/cases/{case.id}", headers=headers).json["tasks"][-1]
    assert task["state"] == "cancelled"
    assert client.post(f"/api/v1/tasks/{task['id']}/claim", headers=headers).status_code == 409
