"""Deployment requests and ``workspace.publish``: an older request approved after its files changed is refused
(it would revert a newer deployment), and an approval closes or rebases only the drafts it deployed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from app.models import ProcessDefinition
from app.services.admin import users
from app.services.design.deployment import deployment_requests
from app.services.design.workspace import drafts
from tests.factories import PASSWORD

BPMN = "credit_application.bpmn"


def _edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_approving_an_older_request_after_a_newer_one_does_not_revert_the_newer_files(
    people, workspace_copy, deployed
):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    second = users.get_by_username("designer2")
    original = drafts.file_text("workflows", BPMN)
    older = deployment_requests.request(people.designer, "nothing changed yet")  # snapshot: the file as it is
    renamed = _edited(
        original, "Capture application / 录入授信申请", "Capture the application / 录入授信申请"
    )
    drafts.save(people.designer, "workflows", BPMN, renamed, revision=0)
    newer = deployment_requests.request(people.designer, "rename the intake task")
    deployment_requests.approve(second, newer.id)
    assert drafts.file_text("workflows", BPMN) == renamed and drafts.draft_of("workflows", BPMN) is None

    try:
        deployment_requests.approve(second, older.id)  # still pending: approvable
    except Conflict:
        return  # the right answer: its snapshot rests on files that have changed since
    file_now = drafts.file_text("workflows", BPMN)
    latest = db.session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == "credit_application")
        .order_by(ProcessDefinition.version.desc())
    )
    assert file_now == renamed, (
        f"the newer deployment's change was written over with the older snapshot "
        f"(and deployed again as v{latest.version}); no draft keeps it"
    )


def test_publish_does_not_rebase_a_draft_that_was_begun_on_the_old_file(people, workspace_copy, deployed):
    """A draft discarded after the request, then begun again from the old file, is silently marked fresh."""
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    second = users.get_by_username("designer2")
    original = drafts.file_text("workflows", BPMN)
    change_a = _edited(
        original, "Capture application / 录入授信申请", "Capture the application / 录入授信申请"
    )
    drafts.save(people.designer, "workflows", BPMN, change_a, revision=0)
    row = deployment_requests.request(people.designer, "rename the intake task")
    drafts.discard(people.designer, "workflows", BPMN, revision=1)
    change_b = original + "\n<!-- another change, begun on the file before the rename -->\n"
    drafts.save(second, "workflows", BPMN, change_b, revision=0)  # base: the original file
    deployment_requests.approve(second, row.id)
    later = drafts.draft_of("workflows", BPMN)
    assert drafts.file_text("workflows", BPMN) == change_a
    assert "Capture the application" not in later.content  # it lacks the deployed rename ...
    assert drafts.is_stale(later), (
        "... yet it is not stale: the next request would revert the rename unwarned"
    )


def test_a_deployment_request_refuses_a_stale_draft_at_approval_too(people, workspace_copy, deployed):
    """check_stale runs at request time only: files changed on disk after the request are overwritten."""
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    second = users.get_by_username("designer2")
    row = deployment_requests.request(people.designer, "as it is")
    path = workspace_copy / "rules" / "review_frequency.dmn"
    edited_on_disk = path.read_text(encoding="utf-8") + "\n<!-- a hotfix committed to the repository -->\n"
    path.write_text(edited_on_disk, encoding="utf-8")
    with pytest.raises(Conflict):
        deployment_requests.approve(second, row.id)
    assert path.read_text(encoding="utf-8") == edited_on_disk
