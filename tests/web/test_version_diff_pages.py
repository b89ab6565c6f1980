"""What changed between two versions of a process: the decision table rules with their cells before and
after, the diagram elements, the forms."""

from __future__ import annotations

from app.services import deployment
from tests.services.test_deployment import everything_needs_level_3
from tests.web.test_pages import text_of


def test_the_designer_sees_the_rules_a_policy_change_changed(as_user, people, rules_copy):
    everything_needs_level_3(rules_copy)
    deployment.deploy_files(actor=people.designer, note="审批权限上收")
    designer = as_user("designer")
    assert "what the last version changed" in text_of(designer.get("/designer"))
    page = text_of(designer.get("/designer/credit_application/diff"))
    assert "v1 → v2" in page and "审批权限上收" in page
    tables = page.split('id="diff-tables"')[1].split("</section>")[0]
    assert "approval_authority.dmn" in tables and "credit_rating.dmn" not in tables
    row = tables.split('data-rule="Rule_approval_authority_02"')[1].split("</tr>")[0]
    assert "&lt;= 10000000" in row and "&lt;= 1000" in row  # the cell before and after
    assert "No element changed." in page and "No form changed." in page
    assert designer.get("/designer/credit_application/diff?a=1&b=9").status_code == 404
    assert as_user("officer").get("/designer/credit_application/diff").status_code == 403
