"""Deployment approval shows what is approved: the request's page links the diff of each process it changes
against the version running now and the policy impact of each decision table it changes; once deployed, the
diff of the versions it made."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import DeploymentRequest
from app.services.admin import users
from tests.factories import PASSWORD
from tests.services.test_deployment import everything_needs_level_3
from tests.web.test_pages import text_of


def links(page: str, kind: str) -> list[str]:
    return [
        chunk.split('"')[0].replace("&amp;", "&")
        for chunk in page.split('href="')[1:]
        if f'class="{kind}-link"' in chunk.split(">")[0]
    ]


def test_the_request_page_links_each_process_diff_and_each_table_impact(as_user, people, rules_copy):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    everything_needs_level_3(rules_copy)  # approval_authority.dmn changes: every process that uses it changes
    assert as_user("designer").post("/designer/deployments", data={"note": "审批权限上收"}).status_code == 302
    row = db.session.scalar(select(DeploymentRequest))
    approver = as_user("designer2")
    assert f'href="/designer/deployments/{row.id}"' in text_of(approver.get("/designer"))
    page = text_of(approver.get(f"/designer/deployments/{row.id}"))
    assert "审批权限上收" in page and 'data-process="credit_application"' in page
    assert 'data-process="audit_sampling"' not in page  # a process it leaves as it is
    diffs = links(page, "diff")
    assert f"/designer/deployments/{row.id}/credit_application/diff" in diffs
    diff = text_of(approver.get(f"/designer/deployments/{row.id}/credit_application/diff"))
    tables = diff.split('id="diff-tables"')[1]
    assert "approval_authority.dmn" in tables and "&lt;= 1000" in tables  # the rules as the request has them
    assert approver.get(f"/designer/deployments/{row.id}/credit_application.bpmn").status_code == 200
    [impact] = links(page, "impact")
    assert impact == f"/designer/impact/approval_authority.dmn?request={row.id}"
    shown = approver.get(impact)
    assert shown.status_code == 200 and f"deployment request {row.id}" in text_of(shown)
    assert approver.get(f"/designer/deployments/{row.id}/audit_sampling/diff").status_code == 404
    assert as_user("officer").get(f"/designer/deployments/{row.id}").status_code == 403

    assert approver.post(f"/designer/deployments/{row.id}/approve").status_code == 302
    deployed = text_of(approver.get(f"/designer/deployments/{row.id}"))
    assert "/designer/credit_application/diff?a=1&b=2" in links(deployed, "diff")
    assert links(deployed, "impact") == []
