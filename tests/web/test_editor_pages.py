"""The designer's editors in the browser's terms: each file opens in its editor with the working copy;
a save answers with the problems on their elements; a stale save is a 409 naming who saved; a form's
schema previews as the screen it makes; only designers get in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import DesignDraft
from app.services.admin import users
from app.services.design.workspace import drafts
from tests.factories import PASSWORD
from tests.web.test_pages import text_of

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

BPMN = "credit_application.bpmn"


def _save(client, kind, name, content, revision):
    return client.post(
        f"/designer/edit/{kind}/{name}",
        data=json.dumps({"content": content, "revision": revision}),
        content_type="application/json",
    )


def test_each_file_opens_in_its_editor(as_user, workspace_copy):
    designer = as_user("designer")
    listing = text_of(designer.get("/designer/files"))
    assert (
        f'data-file="workflows/{BPMN}"' in listing and 'data-file="forms/application_intake.json"' in listing
    )
    bpmn = text_of(designer.get(f"/designer/edit/workflows/{BPMN}"))
    assert (
        'id="bpmn-canvas"' in bpmn and "bpmn-modeler.production.min.js" in bpmn and 'id="properties"' in bpmn
    )
    assert "Capture application" in bpmn  # the source travels in a JSON script block
    assert "application_intake.json" in bpmn and "credit_rating" in bpmn  # the forms and decisions offered
    dmn = text_of(designer.get("/designer/edit/rules/review_frequency.dmn"))
    assert "dmn-js/dmn-modeler.min.js" in dmn and 'id="run-impact"' in dmn
    form = text_of(designer.get("/designer/edit/forms/application_intake.json"))
    assert 'id="form-source"' in form and 'hx-post="/designer/forms/preview"' in form
    tests = text_of(designer.get("/designer/edit/rules/review_frequency.tests.json"))
    assert 'id="json-source"' in tests and "No problems found." in tests
    assert designer.get("/designer/edit/rules/..%2Fconfig.py").status_code == 404


def test_a_save_answers_with_each_problem_on_its_element_and_a_stale_save_is_refused(
    as_user, people, workspace_copy
):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    first, second = as_user("designer"), as_user("designer2")
    text = drafts.file_text("workflows", BPMN)
    broken = text.replace(
        "<spiffworkflow:calledDecisionId>credit_rating</spiffworkflow:calledDecisionId>",
        "<spiffworkflow:calledDecisionId>no_such_table</spiffworkflow:calledDecisionId>",
        1,
    )
    response = _save(first, "workflows", BPMN, broken, 0)
    assert response.status_code == 200
    body = response.get_json()
    assert body["revision"] == 1
    [on_task] = [p for p in body["check"]["problems"] if p["element"] == "rate_customer"]
    line = next(n for n, row in enumerate(broken.splitlines(), 1) if 'id="rate_customer"' in row)
    assert on_task["file"] == BPMN and on_task["line"] == line and "no_such_table" in on_task["message"]
    assert body["check"]["problems"][0]["file"] == BPMN  # this file's problems first

    refused = _save(second, "workflows", BPMN, text, 0)  # opened before the first save
    assert refused.status_code == 409
    assert people.designer.display_name in refused.get_json()["error"]  # who saved
    assert db.session.scalar(select(DesignDraft)).content == broken  # nothing overwritten

    page = text_of(first.get(f"/designer/edit/workflows/{BPMN}"))  # reopened: the draft, with its problems
    assert "no_such_table" in page and 'data-element="rate_customer"' in page and 'data-revision="1"' in page
    assert _save(first, "workflows", BPMN, "", 1).status_code == 422
    assert first.post(f"/designer/edit/workflows/{BPMN}", data="not json").status_code == 400
    discarded = first.post(f"/designer/edit/workflows/{BPMN}/discard", data={"revision": "1"})
    assert discarded.status_code == 200 and db.session.scalar(select(DesignDraft)) is None


def test_a_form_schema_previews_as_the_screen_it_makes(as_user, workspace_copy):
    designer = as_user("designer")
    schema = {
        "type": "object",
        "title": "Visit / 走访",
        "properties": {
            "visit_date": {"type": "string", "format": "date", "title": "Visit date / 走访日期"},
            "amount": {"type": "number", "title": "Amount / 金额", "x-unit": "CNY"},
        },
        "required": ["visit_date"],
    }
    page = text_of(
        designer.post("/designer/forms/preview", data={"content": json.dumps(schema), "name": "visit.json"})
    )
    assert 'id="preview-form"' in page and "Visit date" in page and 'name="amount"' in page
    shipped = (Path(__file__).resolve().parents[2] / "forms" / "review_proposal.json").read_text(
        encoding="utf-8"
    )
    whole = text_of(
        designer.post("/designer/forms/preview", data={"content": shipped, "name": "review_proposal.json"})
    )
    assert (
        'id="f-approver_comment"' in whole and 'id="f-returned_fields"' in whole
    )  # the designer sees every field
    bad = text_of(
        designer.post("/designer/forms/preview", data={"content": '{"type": "object",\n  "properties": }'})
    )
    assert 'id="preview-problems"' in bad and "line 2" in bad


def test_a_property_name_that_is_markup_is_refused_and_never_written_unescaped(as_user, workspace_copy):
    evil = 'x"><img src=x onerror=alert(1)>'
    schema = {
        "type": "object",
        "properties": {
            "statements": {
                "type": "array",
                "title": "Statements",
                "items": {"type": "object", "properties": {evil: {"type": "number", "title": "Cash"}}},
            }
        },
    }
    page = text_of(as_user("designer").post("/designer/forms/preview", data={"content": json.dumps(schema)}))
    assert 'id="preview-problems"' in page and "is not a usable property name" in page
    assert "<img" not in page


def test_a_new_file_opens_empty_and_only_designers_get_in(as_user, workspace_copy):
    designer = as_user("designer")
    opened = designer.post("/designer/files/new", data={"kind": "rules", "name": "visit_frequency"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(
        "/designer/edit/rules/visit_frequency.dmn"
    )
    page = text_of(designer.get(opened.headers["Location"]))
    assert "A new file: nothing is stored until you save." in page and 'id="dmn-template"' in page
    assert designer.post("/designer/files/new", data={"kind": "rules", "name": "../x"}).status_code == 422
    officer = as_user("officer")
    assert officer.get("/designer/files").status_code == 403
    assert officer.get(f"/designer/edit/workflows/{BPMN}").status_code == 403
    assert _save(officer, "workflows", BPMN, "<x/>", 0).status_code == 403
    assert officer.post("/designer/forms/preview", data={"content": "{}"}).status_code == 403
