"""Four eyes with drafts: a request takes the whole working copy, every designer's drafts included, so no
author of a draft it deploys may approve it, whoever requested it; the approver sees which files it changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import NotAuthorized
from app.extensions import db
from app.models import ProcessDefinition
from app.services.admin import users
from app.services.design.deployment import deployment_requests
from app.services.design.workspace import drafts
from tests.factories import PASSWORD

AUTHORITY = "approval_authority.dmn"


def test_the_author_of_a_draft_in_the_request_cannot_approve_it(people, workspace_copy, deployed):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    author = users.get_by_username("designer2")
    # designer2 changes a policy table (a harmless-looking edit here; the point is who wrote it)
    text = drafts.file_text("rules", AUTHORITY)
    drafts.save(author, "rules", AUTHORITY, text + "\n<!-- designer2's change -->\n", 0)
    # designer asks to deploy their own, unrelated work: the request carries designer2's draft too
    row = deployment_requests.request(people.designer, "rename a task")
    assert row.files["rules"][AUTHORITY].endswith("<!-- designer2's change -->\n")
    with pytest.raises(NotAuthorized) as refused:
        deployment_requests.approve(author, row.id)
    assert AUTHORITY in refused.value.message
    assert db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.version == 2)) is None
    users.create_user("designer3", "designer", PASSWORD, actor=people.admin)
    deployment_requests.approve(users.get_by_username("designer3"), row.id)  # someone who wrote none of it


def test_the_approver_sees_which_files_the_request_changes(as_user, people, workspace_copy):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    drafts.save(
        people.designer, "rules", AUTHORITY, drafts.file_text("rules", AUTHORITY) + "\n<!-- x -->\n", 0
    )
    assert as_user("designer").post("/designer/deployments", data={"note": "typo"}).status_code == 302
    page = as_user("designer2").get("/designer").get_data(as_text=True)
    requests_table = page.split('id="deployment-requests"')[1].split("</table>")[0]
    assert AUTHORITY in requests_table, "the approver sees only the note 'typo'"
