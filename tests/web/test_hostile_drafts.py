"""A designer's draft that computes, loops or allocates without end is refused in seconds, naming the task and
the limit, while the rest of the site answers; it can still be opened, and discarded from the files list."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.engine.sandbox.limits import LIMITS
from app.extensions import db
from app.models import DesignDraft
from app.services.design.testing import process_tests
from app.services.design.workspace import drafts
from tests.web.test_pages import text_of

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

BPMN = "credit_application.bpmn"
SCRIPT = "<bpmn:script>proposed_limit = min(requested_amount, limit_cap)"
HOSTILE = {
    "power": "x = 10**10**10",
    "nested loops": "for i in range(10**6):\n  for j in range(10**6):\n    pass",
    "repeat": "x = 'a' * 10**9",
    "larger repeat": "x = 'a' * 10**10",
    "list repeat": "x = [0] * 10**9",
    "padding": "x = 'x'.ljust(10**10)",
}


def _save(client, content, revision):
    return client.post(
        f"/designer/edit/workflows/{BPMN}",
        data=json.dumps({"content": content, "revision": revision}),
        content_type="application/json",
    )


@pytest.mark.parametrize("script", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_script_is_a_problem_within_seconds_and_the_draft_can_be_discarded(
    as_user, workspace_copy, script
):
    designer = as_user("designer")
    text = drafts.file_text("workflows", BPMN)
    assert SCRIPT in text
    hostile = text.replace(
        SCRIPT, f"<bpmn:script>{script}\nproposed_limit = min(requested_amount, limit_cap)", 1
    )

    started = time.monotonic()
    saved = _save(designer, hostile, 0)
    assert saved.status_code == 200 and time.monotonic() - started < LIMITS.check_seconds + 10
    failed = [t for t in saved.get_json()["check"]["tests"] if not t["ok"]]
    assert failed and "draft_proposal" in failed[0]["message"] and "limit exceeded" in failed[0]["message"]

    started = time.monotonic()
    page = designer.get(
        f"/designer/edit/workflows/{BPMN}"
    )  # the draft still opens, with what its check found
    assert page.status_code == 200 and time.monotonic() - started < LIMITS.check_seconds + 10
    assert "limit exceeded" in text_of(page)
    listing = text_of(designer.get("/designer/files"))
    assert f"/designer/edit/workflows/{BPMN}/discard" in listing and 'name="csrf_token"' in listing
    discarded = designer.post(f"/designer/edit/workflows/{BPMN}/discard", data={"revision": "1"})
    assert discarded.status_code == 200 and db.session.scalar(select(DesignDraft)) is None


def test_the_site_answers_while_a_hostile_draft_is_checked(app, as_user, workspace_copy, monkeypatch):
    """The check runs in a request thread; another request (login) is answered meanwhile, not after it."""
    monkeypatch.setattr(process_tests, "_RESULTS", OrderedDict())  # run, not remembered from another test
    designer = as_user("designer")
    text = drafts.file_text("workflows", BPMN)
    hostile = text.replace(
        SCRIPT,
        "<bpmn:script>for i in range(10**6):\n  for j in range(10**6):\n    pass\n"
        "proposed_limit = min(requested_amount, limit_cap)",
        1,
    )

    def login_page():
        time.sleep(0.5)  # the save's check is running by now
        with app.app_context():
            started = time.monotonic()
            status = app.test_client().get("/login").status_code
            return status, time.monotonic() - started

    with ThreadPoolExecutor(1) as pool:
        other = pool.submit(login_page)
        started = time.monotonic()
        assert _save(designer, hostile, 0).status_code == 200
        checked = time.monotonic() - started
        status, answered = other.result(timeout=30)
    assert status == 200 and checked > 1
    assert answered < 3


def test_only_a_designer_discards_a_draft(as_user, workspace_copy):
    designer = as_user("designer")
    assert _save(designer, drafts.file_text("workflows", BPMN) + "\n", 0).status_code == 200
    officer = as_user("officer")
    assert officer.post(f"/designer/edit/workflows/{BPMN}/discard", data={"revision": "1"}).status_code == 403
    assert db.session.scalar(select(DesignDraft)) is not None
