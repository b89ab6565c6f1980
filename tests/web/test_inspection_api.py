"""Post-loan inspections over the API: a customer's next inspection and history, and one started ad hoc, each
refusal a 4xx naming the field (or the inspection under way)."""

from __future__ import annotations

from datetime import timedelta

from app.localtime import local_today
from app.services.admin import users
from app.services.cases import tasks
from app.services.customers.inspections import planning
from tests.workflows.test_post_loan_inspection import visit
from tests.workflows.test_warning_escalation import approved_customer, ready


def headers(username: str) -> dict:
    return {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token(username)}"}


def test_the_api_lists_the_next_inspection_and_the_records(client, deployed, people):
    customer = approved_customer(people)
    [case_id] = planning.start_due()
    tasks.complete(people.officer, ready(case_id, "record_visit").id, visit())
    tasks.complete(
        people.approver1, ready(case_id, "sign_off_inspection").id, {"signoff_decision": "sign_off"}
    )
    answer = client.get(f"/api/v1/customers/{customer.id}/inspections", headers=headers("compliance"))
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["next"]["status"] == "planned" and body["next"]["kind"] == "scheduled"
    [done] = body["inspections"]
    assert (done["kind"], done["status"], done["case_id"]) == ("first", "signed_off", case_id)
    assert done["findings"][0]["severity"] == "low" and done["record"]["funds_match_purpose"] == "matches"
    assert (
        done["visited_by"] == "officer" and done["signed_off_by"] == "approver1" and done["overdue"] is False
    )
    refused = client.get(f"/api/v1/customers/{customer.id}/inspections", headers=headers("designer"))
    assert refused.status_code == 403


def test_the_api_starts_an_ad_hoc_inspection_once(client, deployed, people):
    customer = approved_customer(people)
    url = f"/api/v1/customers/{customer.id}/inspections"
    bad = client.post(
        url, json={"due_on": (local_today() + timedelta(days=61)).isoformat()}, headers=headers("officer")
    )
    assert bad.status_code == 422 and {"reason", "due_on"} <= set(bad.get_json()["errors"])
    wrong = client.post(url, json={"warning_id": 10**6}, headers=headers("officer"))
    assert wrong.status_code == 422 and "warning_id" in wrong.get_json()["errors"]
    started = client.post(url, json={"reason": "客户涉诉，实地核查。"}, headers=headers("risk"))
    assert started.status_code == 201, started.get_json()
    body = started.get_json()
    assert body["reference"].startswith("PI-") and body["inspection"]["kind"] == "ad_hoc"
    assert body["inspection"]["due_on"] == (local_today() + timedelta(days=7)).isoformat()
    again = client.post(url, json={"reason": "再次"}, headers=headers("officer"))
    assert again.status_code == 409 and body["reference"] in again.get_json()["error"]
    assert client.post(url, json={"reason": "x"}, headers=headers("officer2")).status_code == 403
    assert client.post(url, json={"reason": "x"}, headers=headers("approver1")).status_code == 403
