"""An approval is all or nothing: if the files cannot be written back (a read-only directory, a full disk), no
version goes live, the request stays pending and no file is half written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from app.models import DeploymentRequest, ProcessDefinition
from app.services.admin import users
from app.services.design.deployment import deployment_requests
from app.services.design.workspace import drafts
from tests.factories import PASSWORD

BPMN = "credit_application.bpmn"


def test_a_failed_write_back_leaves_no_live_version_behind_a_pending_request(
    people, workspace_copy, deployed, monkeypatch
):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    second = users.get_by_username("designer2")
    text = drafts.file_text("workflows", BPMN)
    drafts.save(
        people.designer,
        "workflows",
        BPMN,
        text.replace("Capture application / 录入授信申请", "Capture the application / 录入授信申请", 1),
        0,
    )
    row = deployment_requests.request(people.designer, "rename the intake task")
    real_write = Path.write_text

    def read_only_directory(self, *args, **kwargs):
        if str(self).startswith(str(workspace_copy)):
            raise PermissionError(13, "Permission denied", str(self))
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", read_only_directory)
    with pytest.raises(Conflict) as refused:
        deployment_requests.approve(second, row.id)
    assert "Permission denied" in refused.value.message  # the reason, in the message (zh outside a request)
    assert (workspace_copy / "workflows" / BPMN).read_text(encoding="utf-8") == text  # nothing half-written
    assert not list((workspace_copy / "workflows").glob(".*.deploying"))
    db.session.rollback()
    versions = db.session.scalars(
        select(ProcessDefinition.version).where(ProcessDefinition.process_id == "credit_application")
    ).all()
    status = db.session.get(DeploymentRequest, row.id).status
    assert (max(versions), status) != (2, "pending"), "version 2 is live while its request is still pending"
