"""A draft's check is a job: the save and the editor page answer without running any designer's code, the
editor asks for the check until a worker has run it, the same working copy is checked once, a check
overtaken by a later save is replaced, and a check that lost its worker is run again, then given up with a
problem that says so (the draft can still be opened and discarded)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import DraftCheck, QueuedJob, UserGroup
from app.models.base import utcnow
from app.services.admin import users
from app.services.design.workspace import draft_checks, drafts, workspace
from app.services.shared import dispatch
from tests.factories import PASSWORD
from tests.web.test_pages import text_of

BPMN = "credit_application.bpmn"
SCRIPT = "<bpmn:script>proposed_limit = min(requested_amount, limit_cap)"


def _save(client, content, revision):
    return client.post(
        f"/designer/edit/workflows/{BPMN}",
        data=json.dumps({"content": content, "revision": revision}),
        content_type="application/json",
    )


def _broken() -> str:
    text = drafts.file_text("workflows", BPMN)
    return text.replace(SCRIPT, "<bpmn:script>proposed_limit = no_such_name\n", 1)


def _queued_checks() -> list[list]:
    return [
        row.args
        for row in db.session.scalars(select(QueuedJob).where(QueuedJob.task == dispatch.CHECK_DRAFT))
    ]


@pytest.fixture
def no_check_in_request(monkeypatch):
    """Running a check inside the web request is a failure: only the job (called by the test) may."""
    real = workspace.check
    calls = {"job": False}

    def check(*args, **kwargs):
        assert calls["job"], "a draft's check ran inside a web request"
        return real(*args, **kwargs)

    monkeypatch.setattr(workspace, "check", check)
    return calls


def _run_job(calls, check_id):
    calls["job"] = True
    try:
        return draft_checks.run(check_id)
    finally:
        calls["job"] = False


def test_a_save_answers_at_once_and_the_editor_asks_until_the_worker_has_checked(
    as_user, workspace_copy, no_worker, no_check_in_request
):
    designer = as_user("designer")
    saved = _save(designer, _broken(), 0)
    assert saved.status_code == 200
    check = saved.get_json()["check"]
    assert check["state"] == "queued" and check["problems"] == [] and check["url"].endswith(f"/{check['id']}")
    assert _queued_checks() == [[check["id"]]]  # the job waits in the outbox, committed with the save

    page = designer.get(
        f"/designer/edit/workflows/{BPMN}"
    )  # the same working copy: the same check, still running
    assert page.status_code == 200
    assert f'data-check-url="{check["url"]}"' in text_of(page) and "Checking the working copy" in text_of(
        page
    )
    assert len(_queued_checks()) == 1
    assert designer.get(check["url"]).get_json()["state"] == "queued"

    assert _run_job(no_check_in_request, check["id"]) == "done"
    done = designer.get(check["url"]).get_json()
    assert done["state"] == "done"
    assert any("no_such_name" in p["message"] for p in done["problems"])
    page = text_of(designer.get(f"/designer/edit/workflows/{BPMN}"))
    assert "no_such_name" in page and "data-check-url" not in page


def test_a_check_overtaken_by_a_later_save_is_replaced_by_the_check_of_the_copy_now(
    as_user, workspace_copy, no_worker, no_check_in_request
):
    designer = as_user("designer")
    first = _save(designer, _broken(), 0).get_json()["check"]
    second = _save(designer, drafts.file_text("workflows", BPMN), 1).get_json()["check"]
    assert second["id"] != first["id"]
    assert _run_job(no_check_in_request, first["id"]) == "superseded"  # its working copy is gone
    asked = designer.get(first["url"]).get_json()
    assert asked["id"] == second["id"] and asked["state"] == "queued"
    assert _run_job(no_check_in_request, second["id"]) == "done"
    assert not any("no_such_name" in p["message"] for p in designer.get(second["url"]).get_json()["problems"])


def test_a_check_that_lost_its_worker_runs_again_then_ends_as_a_problem(
    as_user, workspace_copy, no_worker, no_check_in_request
):
    designer = as_user("designer")
    check = _save(designer, _broken(), 0).get_json()["check"]
    row = db.session.get(DraftCheck, check["id"])
    for attempt in range(1, draft_checks.MAX_ATTEMPTS + 2):
        row.state, row.attempts = "running", attempt  # a worker began it and was killed
        row.started_at = utcnow() - draft_checks.LOST_AFTER - timedelta(seconds=1)
        db.session.commit()
        assert designer.get(check["url"]).get_json()["state"] == "queued"  # asked again: queued again
        assert len(_queued_checks()) == attempt + 1
    db.session.refresh(row)
    row.attempts = draft_checks.MAX_ATTEMPTS  # the next run is one too many
    db.session.commit()
    assert _run_job(no_check_in_request, check["id"]) == "done"
    [problem] = designer.get(check["url"]).get_json()["problems"]
    assert "could not finish" in problem["message"] and problem["file"] == BPMN
    discarded = designer.post(f"/designer/edit/workflows/{BPMN}/discard", data={"revision": "1"})
    assert discarded.status_code == 200 and drafts.draft_of("workflows", BPMN) is None


def test_a_running_check_is_not_queued_again_before_it_is_late(as_user, workspace_copy, no_worker):
    designer = as_user("designer")
    check = _save(designer, _broken(), 0).get_json()["check"]
    row = db.session.get(DraftCheck, check["id"])
    row.state, row.started_at, row.attempts = "running", utcnow(), 1
    db.session.commit()
    assert designer.get(check["url"]).get_json()["state"] == "running"
    assert len(_queued_checks()) == 1


def test_each_language_has_its_own_check(as_user, workspace_copy, no_worker):
    designer = as_user("designer")
    _save(designer, _broken(), 0)
    designer.get(f"/designer/edit/workflows/{BPMN}", headers={"Accept-Language": "en"})
    designer.get(f"/designer/edit/workflows/{BPMN}", headers={"Accept-Language": "zh-CN"})
    locales = set(db.session.scalars(select(DraftCheck.locale)))
    assert len(locales) == 2 and db.session.scalar(select(func.count()).select_from(DraftCheck)) == 2


def test_an_unknown_check_is_not_found_by_a_designer_and_refused_to_others(
    as_user, workspace_copy, no_worker
):
    assert as_user("designer").get("/designer/checks/999999").status_code == 404
    assert as_user("officer").get("/designer/checks/999999").status_code == 403


def test_a_working_copy_back_to_an_earlier_state_gets_its_superseded_check_run(
    as_user, workspace_copy, no_worker, no_check_in_request
):
    designer = as_user("designer")
    first = _save(designer, _broken(), 0).get_json()["check"]  # copy A
    _save(designer, drafts.file_text("workflows", BPMN), 1)  # copy B
    assert _run_job(no_check_in_request, first["id"]) == "superseded"  # the worker met B
    again = _save(designer, _broken(), 2).get_json()["check"]  # A again (a change undone)
    assert again["id"] == first["id"] and again["state"] == "queued"  # not superseded for ever
    assert _run_job(no_check_in_request, again["id"]) == "done"
    assert any("no_such_name" in p["message"] for p in designer.get(again["url"]).get_json()["problems"])


def test_a_check_whose_job_was_lost_before_any_worker_took_it_is_queued_again(
    as_user, workspace_copy, no_worker
):
    designer = as_user("designer")
    check = _save(designer, _broken(), 0).get_json()["check"]
    assert designer.get(check["url"]).get_json()["state"] == "queued" and len(_queued_checks()) == 1
    row = db.session.get(DraftCheck, check["id"])
    row.requested_at = (
        utcnow() - draft_checks.LOST_AFTER - timedelta(seconds=1)
    )  # the broker lost its message
    db.session.commit()
    assert designer.get(check["url"]).get_json()["state"] == "queued"
    assert len(_queued_checks()) == 2  # sent again


def test_the_groups_a_lane_may_name_are_part_of_what_a_check_depends_on(app, people, workspace_copy):
    files = workspace.snapshot()
    before = draft_checks.fingerprint("workflows", BPMN, "en", files)
    users.create_user("newcomer", "officer", PASSWORD, groups=("committee",), actor=people.admin)
    assert draft_checks.fingerprint("workflows", BPMN, "en", files) == before  # a known group: the same
    db.session.add(UserGroup(user_id=users.get_by_username("newcomer").id, group_code="special_desk"))
    db.session.commit()
    assert draft_checks.fingerprint("workflows", BPMN, "en", files) != before
