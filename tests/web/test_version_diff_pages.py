"""What changed between two versions of a process: the decision table rules with their cells before and
after, the diagram elements, the forms."""

from __future__ import annotations

from app.services.design.deployment import deployment
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


def test_the_changed_elements_are_marked_on_both_diagrams(as_user, people, workspace_copy):
    path = workspace_copy / "workflows" / "credit_application.bpmn"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Capture application / 录入授信申请", "Capture the application / 录入授信申请", 1),
        encoding="utf-8",
    )
    deployment.deploy_files(actor=people.designer, note="改任务名称")
    designer = as_user("designer")
    page = text_of(designer.get("/designer/credit_application/diff"))
    after = page.split('id="diagram-after"')[1].split("</div>")[0]
    assert "application_intake" in after.split("diff-changed")[1].split("]")[0]
    assert 'data-url="/designer/credit_application/v1/diagram.bpmn"' in page
    assert '<option value="1" selected>v1</option>' in page.split('name="a"')[1].split("</select>")[0]
    assert "/designer/credit_application/diff?a=1&amp;b=2" in text_of(designer.get("/designer"))
    diagram = designer.get("/designer/credit_application/v2/diagram.bpmn")
    assert diagram.status_code == 200 and "Capture the application" in diagram.get_data(as_text=True)
    assert "sandbox" in diagram.headers["Content-Security-Policy"]
    assert designer.get("/designer/credit_application/v7/diagram.bpmn").status_code == 404
    assert as_user("officer").get("/designer/credit_application/v1/diagram.bpmn").status_code == 403
