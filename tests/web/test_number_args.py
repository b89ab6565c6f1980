"""A whole number in a query string beyond what a database integer holds (page=99999999999999999999) is an
empty page or no such version, never the driver's overflow (a 500); nor is one in a form."""

from __future__ import annotations

import pytest

from tests.factories import case_at, open_task

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

BIG = "99999999999999999999999"


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("admin", f"/admin/users?page={BIG}"),
        ("risk", f"/customers?page={BIG}"),
        ("risk", f"/cases?page={BIG}"),
        ("admin", f"/admin/outbox?page={BIG}"),
        ("approver2", f"/inbox?page={BIG}"),
        ("officer", f"/tasks?page={BIG}"),
        ("officer", f"/notifications?page={BIG}"),
        ("compliance", f"/audit?before={BIG}"),
        ("compliance", f"/audit?before=-{BIG}"),
        ("designer", f"/designer/credit_application/diff?a={BIG}&b=1"),
    ],
)
def test_an_absurd_number_in_a_query_string_is_no_500(as_user, user, url):
    assert as_user(user).get(url).status_code in (200, 404, 422)


def test_an_absurd_number_in_a_form_is_no_500(as_user, people):
    task = open_task(case_at("intake", people.officer).id, "application_intake")
    assert as_user("officer").post(f"/tasks/{task.id}", data={"_version": BIG}).status_code < 500
    discarded = as_user("designer").post(
        "/designer/edit/rules/credit_rating.dmn/discard", data={"revision": BIG}
    )
    assert discarded.status_code < 500
