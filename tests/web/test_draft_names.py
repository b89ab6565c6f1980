"""File names are matched whole: a name with a trailing newline (which ``$`` would let through) is refused, never
saved, checked past or written into a directory."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.models import DeploymentRequest
from app.services.admin import users
from app.services.design.deployment import deployment_requests
from app.services.design.workspace import drafts
from tests.factories import PASSWORD

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process


def test_check_name_refuses_a_trailing_newline(app):
    with pytest.raises(NotFound):
        drafts.check_name("workflows", "evil.bpmn\n")


def test_a_newline_named_draft_is_refused_not_published_unchecked(as_user, people, workspace_copy):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    designer = as_user("designer")
    body = json.dumps({"content": "<not-bpmn>import os</not-bpmn>", "revision": 0})
    saved = designer.post("/designer/edit/workflows/evil.bpmn%0A", data=body, content_type="application/json")
    try:
        assert saved.status_code in (404, 422), "saved, and its check found no problem: " + saved.get_data(
            as_text=True
        )
        if saved.status_code == 422:  # the input guard refuses the line break first, naming the field
            assert saved.get_json()["errors"] == {"name": "must be a single line (no line breaks or tabs)"}
    finally:  # what happens next when it is saved: it rides along in a request and lands in workflows/
        if saved.status_code == 200:
            assert designer.post("/designer/deployments", data={"note": "something"}).status_code == 302
            row = db.session.scalar(select(DeploymentRequest))
            deployment_requests.approve(users.get_by_username("designer2"), row.id)
            assert not (workspace_copy / "workflows" / "evil.bpmn\n").exists(), (
                "written into workflows/, unchecked"
            )
