"""Numbers that are not numbers — NaN, Infinity, -Infinity, 1e309, whole numbers beyond 64 bits — and dates,
pages, ids, languages and JSON nesting beyond reason are refused with a 4xx naming the field, in every
numeric field (forms, the JSON API, observations) and every query string; nothing is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Observation, ProcessInstance
from app.services.admin import users
from tests.factories import case_at, intake, open_task
from tests.web.test_pages import text_of

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

HUGE = str(10**30)
NOT_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", HUGE, "-" + HUGE]


@pytest.fixture
def api(client, people, deployed):
    def call(username: str, path: str, body: str):
        token = users.issue_token(username)
        return client.post(
            f"/api/v1{path}",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        )

    return call


def named(response, field: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, text_of(response)[:400])
    said = response.get_json()["errors"] if response.is_json else text_of(response)
    assert field in said, said


@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_the_api_refuses_a_number_that_is_not_one_in_every_body(api, people, number):
    named(
        api(
            "officer",
            "/cases",
            f'{{"process": "credit_application", "data": {{"requested_amount": {number}}}}}',
        ),
        "data.requested_amount",
    )
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
    task_id = open_task(case_at("intake", people.officer).id, "application_intake").id
    body = f'{{"data": {{"requested_amount": {number}, "customer_name": "华东精密机械有限公司"}}}}'
    named(api("officer", f"/tasks/{task_id}/complete", body), "data.requested_amount")
    observation = (
        f'{{"uscc": "91310000MA1FL8TQ2X", "observed_on": "2025-01-01", "overdue_interest": {number}}}'
    )
    named(api("risk", "/monitoring/observations", observation), "overdue_interest")
    named(
        api("risk", "/monitoring/observations", f'{{"observations": [{observation}]}}'),
        "observations[0].overdue_interest",
    )
    named(
        api(
            "officer",
            f"/cases/{case_at('intake', people.officer).id}/withdraw",
            f'{{"reason": "x", "version": {number}}}',
        ),
        "version",
    )
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_a_form_refuses_a_number_that_is_not_one_naming_the_field(as_user, people, number):
    task_id = open_task(case_at("intake", people.officer).id, "application_intake").id
    posted = {**{k: str(v) for k, v in intake().items() if k != "listed"}, "requested_amount": number}
    named(as_user("officer").post(f"/tasks/{task_id}", data=posted), "Requested amount")
    observed = as_user("risk").post(
        "/monitoring/observations/new",
        data={"uscc": "91310000MA1FL8TQ2X", "observed_on": "2025-01-01", "overdue_interest": number},
    )
    assert (
        observed.status_code == 422
        and 'id="o-overdue_interest" name="overdue_interest" aria-invalid="true"'
        in observed.get_data(as_text=True)
    )


def test_a_start_data_number_beyond_64_bits_is_named(api):
    named(
        api(
            "officer",
            "/cases",
            f'{{"process": "credit_application", "data": {{"requested_term_months": {HUGE}}}}}',
        ),
        "data.requested_term_months",
    )


@pytest.mark.parametrize(
    ("user", "url", "field"),
    [
        ("risk", f"/cases?page={HUGE}", "page"),
        ("risk", "/customers?page=abc", "page"),
        ("admin", f"/admin/users?page={10**30}", "page"),
        ("compliance", f"/audit?before={HUGE}", "before"),
        ("compliance", f"/audit?version={HUGE}", "version"),
        ("compliance", "/audit?date_to=9999-12-31", "date_to"),
        ("compliance", "/audit?date_from=0001-01-01", "date_from"),
        ("compliance", "/audit?date_from=2026-02-30", "date_from"),
        ("compliance", "/audit/export.xlsx?date_to=9999-12-31", "date_to"),
        ("approver2", "/inbox?min_amount=NaN", "min_amount"),
        ("approver2", "/inbox?max_amount=Infinity", "max_amount"),
        ("approver2", "/inbox?min_amount=1e309", "min_amount"),
        ("approver2", f"/inbox?min_amount={HUGE}", "min_amount"),
        ("approver2", f"/inbox?waiting_days={HUGE}", "waiting_days"),
        ("designer", f"/designer/credit_application/diff?a={HUGE}&b=1", "a"),
        ("designer", f"/designer/impact/credit_rating.dmn?request={HUGE}", "request"),
        ("compliance", "/cases/1/history.pdf?lang=xx", "lang"),
        ("officer", "/cases/1/documents/memo.pdf?lang=xx", "lang"),
    ],
)
def test_a_query_string_value_beyond_reason_is_a_4xx_naming_it(as_user, people, user, url, field):
    case_at("intake", people.officer)
    named(as_user(user).get(url), field)


@pytest.mark.parametrize(
    "url",
    [
        f"/cases/{HUGE}",
        f"/tasks/{2**64}",
        f"/api/v1/cases/{HUGE}",
        f"/designer/credit_application/v{HUGE}/diagram.bpmn",
    ],
)
def test_an_id_or_version_beyond_64_bits_in_a_path_is_no_such_page(as_user, url):
    assert as_user("designer").get(url).status_code == 404


def test_a_far_sampling_period_or_seed_is_named(as_user):
    compliance = as_user("compliance")
    named(
        compliance.post("/audit/sampling", data={"period_from": "0001-01-01", "period_to": "9999-12-31"}),
        "period_from",
    )
    named(
        compliance.post(
            "/audit/sampling", data={"period_from": "2025-01-01", "period_to": "2025-12-31", "seed": HUGE}
        ),
        "seed",
    )


@pytest.mark.parametrize("deep", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000])
def test_json_nested_100000_deep_is_refused_before_parsing(api, as_user, deep):
    named(api("officer", "/cases", deep), "body")
    saved = as_user("designer").post(
        "/designer/edit/rules/credit_rating.dmn", data=deep, content_type="application/json"
    )
    named(saved, "body")
