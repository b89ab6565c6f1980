"""The HTML pages as each role uses them: log-in, task forms, refusals, the inbox."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance
from app.services.cases import tasks
from tests.factories import COMPLIANT, PASSWORD, case_at, intake, open_task, review, snapshot, statements


def text_of(response) -> str:
    return response.get_data(as_text=True)


def intake_post(version: int, **overrides) -> dict:
    data = intake(**overrides)
    post = {k: str(v) for k, v in data.items() if k != "listed"}
    if data["listed"]:
        post["listed"] = "on"
    post["_version"] = str(version)
    return post


def statements_post(version: int) -> dict:
    post = {"_version": str(version)}
    for i, statement in enumerate(statements()):
        post.update({f"statements-{i}-{k}": str(v) for k, v in statement.items()})
    return post


def task_id_from(location: str) -> int:
    match = re.search(r"/tasks/(\d+)$", location)
    assert match, location
    return int(match.group(1))


def version_in(page: str) -> int:
    return int(re.search(r'name="_version" value="(\d+)"', page).group(1))


def test_anonymous_visitors_are_sent_to_log_in(client):
    for path in ("/tasks", "/inbox", "/cases", "/tasks/1"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_a_failed_log_in_is_401_and_audited(client, people):
    response = client.post("/login", data={"username": "officer", "password": "wrong"})
    assert response.status_code == 401
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.event_type == "auth.login_failed")
    ).payload == {"username": "officer"}
    assert client.get("/tasks").status_code == 302


def test_log_in_follows_only_same_site_next(client, people):
    ok = client.post("/login?next=/cases", data={"username": "officer", "password": PASSWORD})
    assert ok.headers["Location"].endswith("/cases")
    client.post("/logout")
    evil = client.post("/login?next=//evil.example/x", data={"username": "officer", "password": PASSWORD})
    assert "evil.example" not in evil.headers["Location"]


def test_whole_lifecycle_through_the_pages(as_user, people):
    officer = as_user("officer")
    opened = officer.post("/cases/new")
    assert opened.status_code == 302
    task_id = task_id_from(opened.headers["Location"])
    page = officer.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    html = text_of(page)
    for field in (
        "customer_name",
        "uscc",
        "industry",
        "size",
        "credit_record",
        "listed",
        "requested_amount",
        "requested_term_months",
        "purpose",
    ):
        assert f'name="{field}"' in html, field
    case_id = db.session.get(HumanTask, task_id).instance_id

    done = officer.post(f"/tasks/{task_id}", data=intake_post(version_in(html)))
    assert done.status_code == 302, text_of(done)
    assert done.headers["Location"].endswith(f"/cases/{case_id}")
    assert officer.get(f"/cases/{case_id}").status_code == 200

    task_id = open_task(case_id, "financial_statements").id
    html = text_of(officer.get(f"/tasks/{task_id}"))
    assert 'name="statements-0-total_assets"' in html
    assert officer.post(f"/tasks/{task_id}", data=statements_post(version_in(html))).status_code == 302

    task_id = open_task(case_id, "review_proposal").id
    html = text_of(officer.get(f"/tasks/{task_id}"))
    case = db.session.get(ProcessInstance, case_id)
    review = {
        "proposed_limit": str(case.summary["proposed_limit"]),
        "proposed_term_months": "12",
        "proposed_margin_pct": "1.2",
        "officer_opinion": "建议授信",
        "_version": str(version_in(html)),
    }
    assert officer.post(f"/tasks/{task_id}", data=review).status_code == 302

    approver = as_user("approver3")
    inbox = text_of(approver.get("/inbox"))
    signoff_id = open_task(case_id, "approval_signoff").id
    assert f"/tasks/{signoff_id}" in inbox
    html = text_of(approver.get(f"/tasks/{signoff_id}"))
    assert 'name="decision"' in html
    signed = approver.post(
        f"/tasks/{signoff_id}",
        data={"decision": "approve", "comment": "同意", "_version": str(version_in(html))},
    )
    assert signed.status_code == 302
    compliance = as_user("compliance")
    checklist_id = open_task(case_id, "compliance_checklist").id
    html = text_of(compliance.get(f"/tasks/{checklist_id}"))
    assert "KYC complete" in html and "Sanctions / AML screening" in html
    checklist = {k: ("true" if v is True else str(v)) for k, v in COMPLIANT.items()}
    done = compliance.post(f"/tasks/{checklist_id}", data={**checklist, "_version": str(version_in(html))})
    assert done.status_code == 302, text_of(done)
    db.session.expire_all()
    case = db.session.get(ProcessInstance, case_id)
    assert (case.status, case.outcome) == ("completed", "approved")
    assert db.session.get(HumanTask, signoff_id).completed_by_id == people.approver3.id


def test_invalid_post_is_422_with_each_field_message_and_the_entered_values(as_user, people):
    officer = as_user("officer")
    task_id = task_id_from(officer.post("/cases/new").headers["Location"])
    case_id = db.session.get(HumanTask, task_id).instance_id
    before = snapshot(case_id)
    good = intake()["uscc"]
    post = intake_post(before.version, uscc=good[:-1] + ("0" if good[-1] != "0" else "1"))
    del post["purpose"]
    response = officer.post(f"/tasks/{task_id}", data=post)
    assert response.status_code == 422
    html = text_of(response)
    assert "Purpose of the credit is required" in html
    assert "check character" in html
    assert intake()["customer_name"] in html  # what was typed is kept
    assert snapshot(case_id) == before


def test_signoff_return_without_comment_is_422_naming_the_comment(as_user, people):
    case = case_at("approval", people.officer)
    signoff_id = open_task(case.id, "approval_signoff").id
    approver = as_user("approver3")
    before = snapshot(case.id)
    response = approver.post(
        f"/tasks/{signoff_id}", data={"decision": "return", "_version": str(before.version)}
    )
    assert response.status_code == 422
    assert re.search(r"comment|意见", text_of(response), re.I)
    assert snapshot(case.id) == before
    # the page shown again still carries the read-only figures the approver decides on
    assert review(case)["officer_opinion"] in text_of(response)


def test_submitting_a_form_loads_the_workflow_only_to_run_the_step(as_user, people, monkeypatch):
    from app import engine

    case = case_at("approval", people.officer)
    signoff_id = open_task(case.id, "approval_signoff").id
    approver = as_user("approver3")
    version = snapshot(case.id).version

    def no_preview(*_args):
        raise AssertionError("the task's data was loaded again just to validate the post")

    monkeypatch.setattr(engine, "task_data", no_preview)
    response = approver.post(f"/tasks/{signoff_id}", data={"decision": "approve", "_version": str(version)})
    assert response.status_code == 302


def test_a_post_with_an_old_version_is_409_naming_who_changed_it(as_user, people):
    officer = as_user("officer")
    case = case_at("statements", people.officer)
    task_id = open_task(case.id, "financial_statements").id
    stale = version_in(text_of(officer.get(f"/tasks/{task_id}"))) - 1
    before = snapshot(case.id)
    response = officer.post(f"/tasks/{task_id}", data=statements_post(stale))
    assert response.status_code == 409
    assert re.search(r"changed by officer at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", text_of(response))
    assert snapshot(case.id) == before


def test_a_second_submission_of_the_same_task_is_409(as_user, people):
    officer, officer2 = as_user("officer"), as_user("officer2")
    task_id = task_id_from(officer.post("/cases/new").headers["Location"])
    version = version_in(text_of(officer.get(f"/tasks/{task_id}")))
    assert version_in(text_of(officer2.get(f"/tasks/{task_id}"))) == version  # both opened the form
    assert officer.post(f"/tasks/{task_id}", data=intake_post(version)).status_code == 302
    case_id = db.session.get(HumanTask, task_id).instance_id
    before = snapshot(case_id)
    late = officer2.post(f"/tasks/{task_id}", data=intake_post(version, customer_name="别的公司"))
    assert late.status_code == 409
    assert "completed by officer at" in text_of(late)
    assert snapshot(case_id) == before


def test_a_task_claimed_by_someone_else_is_403(as_user, people):
    officer, officer2 = as_user("officer"), as_user("officer2")
    task_id = task_id_from(officer.post("/cases/new").headers["Location"])
    assert officer.post(f"/tasks/{task_id}/claim").status_code == 302
    page = officer2.get(f"/tasks/{task_id}")
    assert page.status_code == 403 and "claimed by officer" in text_of(page)
    assert officer2.post(f"/tasks/{task_id}/claim").status_code == 403
    assert officer2.post(f"/tasks/{task_id}", data=intake_post(1)).status_code == 403


def test_wrong_group_is_403_both_ways(as_user, people):
    case = case_at("approval", people.officer2)
    signoff_id = open_task(case.id, "approval_signoff").id
    page = as_user("officer").get(f"/tasks/{signoff_id}")
    assert page.status_code == 403 and "Approver group" in text_of(page)
    other = case_at("intake", people.officer)
    page = as_user("approver3").get(f"/tasks/{open_task(other.id, 'application_intake').id}")
    assert page.status_code == 403 and "Credit officer group" in text_of(page)


def test_inbox_hides_approvals_above_authority_and_says_so(as_user, people):
    case = case_at("review", people.officer)
    with_app_request(
        lambda: tasks.complete(
            people.officer,
            open_task(case.id, "review_proposal").id,
            {
                "proposed_limit": 60_000_000,
                "proposed_term_months": 12,
                "proposed_margin_pct": 1.2,
                "officer_opinion": "大额",
            },
        )
    )
    signoff_id = open_task(case.id, "approval_signoff").id
    junior = as_user("approver1")
    html = text_of(junior.get("/inbox"))
    assert f"/tasks/{signoff_id}" not in html
    assert re.search(r"1 approval\(s\) need a higher authority level", html)
    page = junior.get(f"/tasks/{signoff_id}")
    assert page.status_code == 403 and "authority level 3; yours is 1" in text_of(page)
    assert f"/tasks/{signoff_id}" in text_of(as_user("approver3").get("/inbox"))


def with_app_request(action):
    from flask import current_app

    with current_app.test_request_context():
        return action()


def test_officer_has_no_inbox_and_approver_cannot_open_cases(as_user):
    assert as_user("officer").get("/inbox").status_code == 403
    response = as_user("approver1").post("/cases/new")
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0


def test_designer_may_not_read_cases(as_user, people):
    case = case_at("intake", people.officer)
    designer = as_user("designer")
    for path in ("/cases", f"/cases/{case.id}"):
        response = designer.get(path)
        assert response.status_code == 403 and "may not read" in text_of(response), path


def test_case_page_and_list_show_the_case(as_user, people):
    case = case_at("review", people.officer)
    compliance = as_user("compliance")
    listing = text_of(compliance.get("/cases"))
    assert case.reference in listing
    page = compliance.get(f"/cases/{case.id}")
    assert page.status_code == 200 and intake()["customer_name"] in text_of(page)
    assert as_user("compliance").get("/cases/999").status_code == 404


def test_my_tasks_page_lists_the_group_queue(as_user, people):
    case = case_at("intake", people.officer)
    task_id = open_task(case.id, "application_intake").id
    assert f"/tasks/{task_id}" in text_of(as_user("officer2").get("/tasks"))
    assert f"/tasks/{task_id}" not in text_of(as_user("approver3").get("/tasks"))


def test_a_form_post_without_the_csrf_token_is_refused(app, client, monkeypatch, people):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post("/login", data={"username": "officer", "password": "x"})
    assert refused.status_code == 400
    assert "did not come from this site" in refused.get_data(as_text=True) or "来自本站" in refused.get_data(
        as_text=True
    )
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    from tests.factories import PASSWORD

    accepted = client.post("/login", data={"username": "officer", "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302


def test_an_unknown_page_is_a_404_of_ours(as_user):
    officer = as_user("officer")
    page = officer.get("/no/such/page")
    assert page.status_code == 404 and "This page does not exist." in page.get_data(as_text=True)
    api = officer.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json() == {"error": "no such resource"}


def test_task_names_from_the_diagram_show_in_the_screens_language(as_user, people):
    english = as_user("officer")
    english.post("/cases/new")
    page = english.get("/tasks").get_data(as_text=True)
    assert "Capture application" in page and "录入授信申请" not in page
    english.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    page = english.get("/tasks").get_data(as_text=True)
    assert "录入授信申请" in page and "Capture application" not in page


def test_pages_refuse_framing_and_the_diagram_cannot_run_script(as_user, people):
    officer = as_user("officer")
    officer.post("/cases/new")
    page = officer.get("/tasks")
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    diagram = officer.get("/cases/1/diagram.bpmn")
    assert diagram.status_code == 200 and diagram.mimetype == "application/xml"
    assert "sandbox" in diagram.headers["Content-Security-Policy"]


def test_claim_never_redirects_off_site(as_user, people):
    officer = as_user("officer")
    officer.post("/cases/new")
    task = db.session.scalar(select(HumanTask).where(HumanTask.task_spec == "application_intake"))
    response = officer.post(f"/tasks/{task.id}/claim", data={"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]
    assert db.session.get(HumanTask, task.id).assignee_id == people.officer.id


def test_a_new_application_opens_its_intake_form_however_many_tasks_wait(as_user, people):
    from app.services.cases import cases

    for _ in range(201):  # more open tasks than any page of "My tasks" shows
        cases.start_case(people.officer, "credit_application")
    response = as_user("officer").post("/cases/new")
    newest = db.session.scalar(select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(1))
    intake_task = open_task(newest.id, "application_intake")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tasks/{intake_task.id}")
