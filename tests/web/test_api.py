"""The JSON API under /api/v1: bearer tokens only, every refusal with its status and message."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HumanTask, ProcessInstance, UserGroup
from app.services.admin import users
from tests.factories import COMPLIANT, case_at, intake, open_task, review, snapshot, statements, trained

EN = {"Accept-Language": "en"}


@pytest.fixture
def api(client, people, deployed):
    """``api(username)`` gives get/post helpers that send that user's bearer token."""

    class Caller:
        def __init__(self, username: str) -> None:
            self.headers = {**EN, "Authorization": f"Bearer {users.issue_token(username)}"}

        def get(self, path: str):
            return client.get(f"/api/v1{path}", headers=self.headers)

        def post(self, path: str, body=None):
            return client.post(f"/api/v1{path}", json=body, headers=self.headers)

    return Caller


def ready_task(caller, case_id: int, spec: str) -> dict:
    listed = caller.get("/tasks")
    assert listed.status_code == 200, listed.get_json()
    [task] = [
        t
        for t in listed.get_json()
        if t["case_id"] == case_id
        and t["name"]
        and t["state"] == "ready"
        and db.session.get(HumanTask, t["id"]).task_spec == spec
    ]
    return task


def test_whole_lifecycle_through_the_api(api, people):
    officer, approver3 = api("officer"), api("approver3")
    created = officer.post("/cases", {"process": "credit_application", "data": {"customer_name": "预填公司"}})
    assert created.status_code == 201, created.get_json()
    case_id = created.get_json()["id"]
    assert created.get_json()["status"] == "running" and created.get_json()["reference"].startswith("CA-")

    task = ready_task(officer, case_id, "application_intake")
    assert task["lane"] == "officer" and task["form"]["$id"] == "application_intake"
    assert task["assignee"] is None and task["process"] == "credit_application"
    claimed = officer.post(f"/tasks/{task['id']}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["assignee"] == "officer"
    done = officer.post(f"/tasks/{task['id']}/complete", {"data": intake()})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["state"] == "completed"

    task = ready_task(officer, case_id, "financial_statements")
    assert (
        officer.post(f"/tasks/{task['id']}/complete", {"data": {"statements": statements()}}).status_code
        == 200
    )
    case = officer.get(f"/cases/{case_id}").get_json()
    task = ready_task(officer, case_id, "review_proposal")
    body = {
        "proposed_limit": case["summary"]["proposed_limit"],
        "proposed_term_months": 12,
        "proposed_margin_pct": 1.2,
        "officer_opinion": "建议授信",
    }
    assert officer.post(f"/tasks/{task['id']}/complete", {"data": body}).status_code == 200

    assert all(t["case_id"] != case_id for t in officer.get("/tasks").get_json())
    task = ready_task(approver3, case_id, "approval_signoff")
    assert task["lane"] == "approver" and task["form"]["$id"] == "approval_signoff"
    signed = approver3.post(
        f"/tasks/{task['id']}/complete", {"data": {"decision": "approve", "comment": "同意"}}
    )
    assert signed.status_code == 200, signed.get_json()
    assert approver3.get(f"/cases/{case_id}").get_json()["status"] == "running"  # compliance signs off first
    compliance = api("compliance")
    checklist = ready_task(compliance, case_id, "compliance_checklist")
    assert checklist["lane"] == "compliance"
    assert compliance.post(f"/tasks/{checklist['id']}/complete", {"data": COMPLIANT}).status_code == 200

    case = approver3.get(f"/cases/{case_id}").get_json()
    assert (case["status"], case["outcome"], case["version"]) == ("completed", "approved", 1)
    assert case["summary"]["customer_name"] == intake()["customer_name"]
    assert [d["decision_id"] for d in case["decisions"]] == [
        "customer_segment",
        "credit_rating",
        "classification_grade_cap",
        "limit_proposal",
        "large_exposure",
        "classification_grade_cap",
        "approval_sla",
        "approval_authority",
    ]
    assert [t["state"] for t in case["tasks"]] == ["completed"] * 5
    history = approver3.get(f"/cases/{case_id}/history").get_json()
    assert history[0]["type"] == "instance.started" and history[0]["actor"] == "officer"
    assert ("task.completed", "approver3") in [(e["type"], e["actor"]) for e in history]
    assert all(re.fullmatch(r"[0-9a-f]{64}", e["hash"]) for e in history)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic b2ZmaWNlcjpjb3JyZWN0LWhvcnNlLTQy"},
    ],
)
def test_no_valid_token_is_401(client, people, deployed, headers):
    for method, path in (
        ("get", "/api/v1/tasks"),
        ("post", "/api/v1/cases"),
        ("get", "/api/v1/cases/1"),
        ("post", "/api/v1/tasks/1/complete"),
    ):
        response = getattr(client, method)(path, headers=headers, json={})
        assert response.status_code == 401, (method, path)
        assert "bearer token" in response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_a_session_cookie_does_not_open_the_api(login, people, deployed):
    client = login("officer")
    assert client.get("/tasks").status_code == 200  # the session works for pages
    assert client.get("/api/v1/tasks").status_code == 401
    response = client.post("/api/v1/cases", json={"process": "credit_application"})
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_approver_may_not_open_cases(api):
    response = api("approver1").post("/cases", {"process": "credit_application"})
    assert response.status_code == 403
    assert "officer" in response.get_json()["error"]


def test_designer_may_not_read_cases(api, people):
    case_id = api("officer").post("/cases", {"process": "credit_application"}).get_json()["id"]
    designer = api("designer")
    for path in (f"/cases/{case_id}", f"/cases/{case_id}/history"):
        response = designer.get(path)
        assert response.status_code == 403 and "may not read" in response.get_json()["error"]


def test_unknown_fields_when_opening_a_case_are_422_by_name(api):
    response = api("officer").post(
        "/cases", {"process": "credit_application", "data": {"customer_name": "甲", "role": "admin"}}
    )
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["role"]
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "process"), ({"process": "credit_application", "data": [1]}, "data"), ([1, 2], "body")],
)
def test_malformed_case_bodies_are_422(api, body, field):
    response = api("officer").post("/cases", body)
    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_an_unknown_process_is_404(api):
    assert api("officer").post("/cases", {"process": "nope"}).status_code == 404


def test_invalid_intake_is_422_with_per_field_errors_and_changes_nothing(api, people):
    officer = api("officer")
    case_id = officer.post("/cases", {"process": "credit_application"}).get_json()["id"]
    task_id = open_task(case_id, "application_intake").id
    before = snapshot(case_id)
    missing = officer.post(f"/tasks/{task_id}/complete", {"data": {"customer_name": "甲公司"}})
    assert missing.status_code == 422
    errors = missing.get_json()["errors"]
    assert set(errors) == {
        "uscc",
        "industry",
        "size",
        "credit_record",
        "requested_amount",
        "requested_term_months",
        "purpose",
    }  # not "listed": left out, it is answered "no"
    assert errors["uscc"] == "Unified social credit code is required"
    good = intake()["uscc"]
    wrong = officer.post(
        f"/tasks/{task_id}/complete", {"data": intake(uscc=good[:-1] + ("0" if good[-1] != "0" else "1"))}
    )
    assert wrong.status_code == 422 and list(wrong.get_json()["errors"]) == ["uscc"]
    assert "check character" in wrong.get_json()["errors"]["uscc"]
    no_data = officer.post(f"/tasks/{task_id}/complete", {"nodata": 1})
    assert no_data.status_code == 422 and "data" in no_data.get_json()["errors"]
    assert snapshot(case_id) == before


def test_return_without_comment_or_fields_is_422_naming_both(api, people):
    case = case_at("approval", people.officer)
    task_id = open_task(case.id, "approval_signoff").id
    approver3 = api("approver3")
    before = snapshot(case.id)
    response = approver3.post(f"/tasks/{task_id}/complete", {"data": {"decision": "return"}})
    assert response.status_code == 422
    assert sorted(response.get_json()["errors"]) == ["comment", "fields_to_fix"]
    assert snapshot(case.id) == before


def test_a_task_claimed_by_someone_else_is_403(api, people):
    officer, officer2 = api("officer"), api("officer2")
    case_id = officer.post("/cases", {"process": "credit_application"}).get_json()["id"]
    task_id = open_task(case_id, "application_intake").id
    assert officer.post(f"/tasks/{task_id}/claim").status_code == 200
    before = snapshot(case_id)
    for path, body in (
        (f"/tasks/{task_id}/claim", None),
        (f"/tasks/{task_id}/complete", {"data": intake()}),
        (f"/tasks/{task_id}/unclaim", None),
    ):
        response = officer2.post(path, body)
        assert response.status_code == 403, path
    assert "claimed by officer" in officer2.post(f"/tasks/{task_id}/claim").get_json()["error"]
    assert snapshot(case_id) == before
    assert task_id not in [t["id"] for t in officer2.get("/tasks").get_json()]
    assert officer.post(f"/tasks/{task_id}/unclaim").get_json()["assignee"] is None
    assert task_id in [t["id"] for t in officer2.get("/tasks").get_json()]


def test_wrong_group_is_403_both_ways(api, people):
    officer, approver3 = api("officer"), api("approver3")
    case = case_at("approval", people.officer2)
    signoff_id = open_task(case.id, "approval_signoff").id
    before = snapshot(case.id)
    response = officer.post(f"/tasks/{signoff_id}/complete", {"data": {"decision": "approve"}})
    assert response.status_code == 403 and "Approver group" in response.get_json()["error"]
    assert officer.post(f"/tasks/{signoff_id}/claim").status_code == 403
    assert snapshot(case.id) == before
    other = officer.post("/cases", {"process": "credit_application"}).get_json()["id"]
    intake_id = open_task(other, "application_intake").id
    before = snapshot(other)
    response = approver3.post(f"/tasks/{intake_id}/complete", {"data": intake()})
    assert response.status_code == 403 and "Credit officer group" in response.get_json()["error"]
    assert snapshot(other) == before


def test_the_investigator_may_not_approve_even_in_the_approver_group(api, people):
    user, _ = users.create_user("dual", "officer", "long-enough-1", actor=people.admin)
    db.session.add(UserGroup(user_id=user.id, group_code="approver"))
    user.authority_level = 3
    db.session.commit()
    trained(user)
    dual = api("dual")
    case = case_at("approval", user)
    signoff_id = open_task(case.id, "approval_signoff").id
    before = snapshot(case.id)
    response = dual.post(f"/tasks/{signoff_id}/complete", {"data": {"decision": "approve", "comment": "ok"}})
    assert response.status_code == 403 and "Segregation of duties" in response.get_json()["error"]
    assert dual.post(f"/tasks/{signoff_id}/claim").status_code == 403
    assert signoff_id not in [t["id"] for t in dual.get("/tasks").get_json()]
    assert snapshot(case.id) == before._replace(audit_rows=before.audit_rows + 2)  # the two refusals recorded


def test_insufficient_authority_is_403_with_both_levels(api, people):
    case = case_at("review", people.officer)
    review_id = open_task(case.id, "review_proposal").id
    officer = api("officer")
    assert (
        officer.post(
            f"/tasks/{review_id}/complete", {"data": review(case, proposed_limit=60_000_000)}
        ).status_code
        == 200
    )
    signoff_id = open_task(case.id, "approval_signoff").id
    approver1, approver3 = api("approver1"), api("approver3")
    before = snapshot(case.id)
    response = approver1.post(f"/tasks/{signoff_id}/complete", {"data": {"decision": "approve"}})
    assert response.status_code == 403
    assert response.get_json()["error"] == "This approval needs authority level 3; yours is 1."
    assert approver1.post(f"/tasks/{signoff_id}/claim").status_code == 403
    assert snapshot(case.id) == before
    assert signoff_id not in [t["id"] for t in approver1.get("/tasks").get_json()]
    assert signoff_id in [t["id"] for t in approver3.get("/tasks").get_json()]


def test_completing_twice_is_409_naming_who_and_when(api, people):
    officer = api("officer")
    case_id = officer.post("/cases", {"process": "credit_application"}).get_json()["id"]
    task_id = open_task(case_id, "application_intake").id
    assert officer.post(f"/tasks/{task_id}/complete", {"data": intake()}).status_code == 200
    officer2 = api("officer2")
    before = snapshot(case_id)
    again = officer2.post(f"/tasks/{task_id}/complete", {"data": intake(customer_name="别的公司")})
    assert again.status_code == 409
    assert re.fullmatch(
        r"This task was completed by officer at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.", again.get_json()["error"]
    )
    assert officer.post(f"/tasks/{task_id}/claim").status_code == 409
    assert snapshot(case_id) == before


def test_unknown_task_and_case_are_404(api):
    officer = api("officer")
    assert officer.post("/tasks/999/complete", {"data": {}}).status_code == 404
    assert officer.post("/tasks/999/claim").status_code == 404
    assert officer.get("/cases/999").status_code == 404


def test_openapi_lists_every_api_path_and_method(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = re.sub(r"<(?:\w+:)?\w+>", "{id}", rule.rule.removeprefix("/api/v1"))
            routed |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed and documented == routed
    for path, ops in document["paths"].items():
        for op in ops.values():
            assert "401" in op["responses"], path
