"""The request guard (app/web/input_guard.py): NUL, unpaired surrogates and control characters are refused
everywhere a user sends text — form fields, query strings, JSON bodies, path segments, file names, CSV
headers — with a 4xx naming the field, never a 500 (PostgreSQL refuses NUL: the log-in and every search
failed) and never stored. A single-line field refuses line breaks; a multi-line one keeps them."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, MonitoringImport, ProcessInstance
from app.services.admin import users
from app.services.monitoring import imports
from tests.factories import PASSWORD, case_at, intake, open_task
from tests.web.test_pages import text_of

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process


def refused(response, field: str) -> None:
    assert response.status_code in (400, 422), (response.status_code, text_of(response)[:400])
    said = response.get_json()["errors"] if response.is_json else text_of(response)
    assert field in said, said


@pytest.mark.parametrize("username", ["a\x00b", "a\x01b", "line\nbreak"])
def test_the_log_in_refuses_control_characters_naming_the_field(client, people, username):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    refused(client.post("/login", data={"username": username, "password": PASSWORD}), "username")
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before  # nothing written


@pytest.mark.parametrize(
    ("user", "url", "field"),
    [
        ("risk", "/cases?q=a%00b", "q"),
        ("risk", "/customers?q=a%00b", "q"),
        ("approver2", "/inbox?grade=A%00", "grade"),
        ("compliance", "/audit?outcome=x%00", "outcome"),
        ("compliance", "/audit/export.csv?user=a%00", "user"),
        ("admin", "/admin/users?role=a%1Fb", "role"),
        ("risk", "/monitoring/template.csv?headers=z%00h", "headers"),
        ("designer", "/designer/edit/rules/x%00y.dmn", "name"),
        ("designer", "/designer/credit%00/diff", "process_id"),
    ],
)
def test_query_strings_and_paths_refuse_nul_naming_the_field(as_user, user, url, field):
    refused(as_user(user).get(url), field)


def test_a_single_line_form_field_refuses_a_line_break_a_multi_line_one_keeps_it(as_user, people):
    designer = as_user("designer")
    refused(designer.post("/designer/deployments", data={"note": "one\nline"}), "note")
    instance = case_at("intake", people.officer)
    case_id = instance.id
    officer = as_user("officer")
    withdrawn = officer.post(
        f"/cases/{case_id}/withdraw", data={"reason": "客户撤回申请。\r\n不再需要授信。"}
    )
    assert withdrawn.status_code == 302, text_of(withdrawn)[:400]
    refused(officer.post(f"/cases/{case_id}/withdraw", data={"reason": "a\x00b"}), "reason")


def test_a_task_form_refuses_a_line_break_in_a_name_and_keeps_it_in_a_textarea(as_user, people):
    task_id = open_task(case_at("intake", people.officer).id, "application_intake").id
    officer = as_user("officer")
    posted = {k: str(v) for k, v in intake().items() if k != "listed"}
    refused(
        officer.post(f"/tasks/{task_id}", data={**posted, "customer_name": "华东\n精密"}), "Customer name"
    )
    refused(
        officer.post(f"/tasks/{task_id}", data={**posted, "customer_name": "华东\x00精密"}), "customer_name"
    )
    done = officer.post(f"/tasks/{task_id}", data={**posted, "purpose": "流动资金周转。\r\n分两次提款。"})
    assert done.status_code == 302, text_of(done)[:600]


@pytest.fixture
def api(client, people, deployed):
    def call(username: str, path: str, body: bytes | str):
        token = users.issue_token(username)
        return client.post(
            f"/api/v1{path}",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )

    return call


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ('"a\\u0000b"', "data.customer_name"),
        ('"a\\ud800b"', "data.customer_name"),
        ('"a\\u001bb"', "data.customer_name"),
        ('"华东\\n精密"', "customer_name"),
    ],
)
def test_the_api_refuses_control_characters_in_json_naming_the_field(api, name, field):
    cases = db.session.scalar(select(func.count()).select_from(ProcessInstance))
    response = api(
        "officer", "/cases", f'{{"process": "credit_application", "data": {{"customer_name": {name}}}}}'
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["errors"], response.get_json()
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == cases


def test_a_lone_surrogate_in_a_json_key_is_refused_and_answered_in_json(api):
    response = api("officer", "/cases", '{"process": "credit_application", "data": {"a\\ud800": 1}}')
    assert response.status_code == 422 and "data.a\\ud800" in response.get_json()["errors"], (
        response.get_json()
    )


@pytest.mark.parametrize(
    ("name", "field_says"),
    [
        ("obs\x00.csv", "NUL"),
        ("观测\n.csv", "single line"),
        ("a" * 300 + ".csv", "255"),
    ],
)
def test_an_uploaded_file_name_is_checked_naming_the_field(as_user, name, field_says):
    response = as_user("risk").post(
        "/monitoring",
        data={"file": (io.BytesIO(b"uscc,observed_on\n"), name)},
        content_type="multipart/form-data",
    )
    refused(response, "file")
    assert field_says in text_of(response)
    assert db.session.scalar(select(func.count()).select_from(MonitoringImport)) == 0


def test_a_csv_header_with_a_nul_fails_the_import_with_its_reason_never_stuck_running(app, people):
    job = imports.upload(
        people.risk,
        "observations.csv",
        b"uscc,observed_on,ove\x00rdue_days\n" + b"91310000MA1FL8TQ2X,2025-01-01,3\n",
    )
    imports.run(job.id)
    db.session.refresh(job)
    assert job.status == "failed", job.status
    assert "\x00" not in str(job.failure) and "\\u0000" in str(job.failure), job.failure
