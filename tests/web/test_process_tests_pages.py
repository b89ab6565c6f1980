"""Process tests on the designer's page and in a deployment request: each process with its cases' results;
a failing path refuses the request naming the tests file and the case, and a request keeps the tests files."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.models import DeploymentRequest
from tests.web.test_pages import text_of


def break_the_reject_case(workflows: Path) -> str:
    """The designer expects another outcome on the reject path than the process records."""
    path = workflows / "credit_application.tests.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    [case] = [c for c in spec["cases"] if c["name"].startswith("The approver rejects")]
    case["expected"]["data"]["outcome"] = "declined"
    path.write_text(json.dumps(spec, ensure_ascii=False, indent=2), encoding="utf-8")
    return case["name"]


def section(page: str) -> str:
    return page.split('id="process-tests"')[1].split("</section>")[0]


def test_the_designer_sees_every_process_with_its_tests(as_user):
    tests = section(text_of(as_user("designer").get("/designer")))
    row = tests.split('data-process-tests="credit_application.bpmn"')[1].split("</tr>")[0]
    assert "credit_application.tests.json" in row and "all pass" in row
    for name in ("warning_escalation.bpmn", "periodic_review.bpmn"):
        assert "all pass" in tests.split(f'data-process-tests="{name}"')[1].split("</tr>")[0]
    assert "no tests yet" in tests.split('data-process-tests="audit_sampling.bpmn"')[1].split("</tr>")[0]
    assert "sla-overdue" not in tests


def test_a_failing_path_shows_on_the_page_and_refuses_the_request(as_user, workflows_copy):
    name = break_the_reject_case(workflows_copy)
    designer = as_user("designer")
    tests = section(text_of(designer.get("/designer")))
    assert "1 failing" in tests and "The approver rejects" in tests
    assert "data.outcome expected &#34;declined&#34;, got &#34;rejected&#34;" in tests
    response = designer.post("/designer/deployments", data={"note": "调整否决路径"})
    assert response.status_code == 422
    problems = text_of(response).split('id="deploy-problems"')[1]
    assert "credit_application.tests.json" in problems and name.split(" / ")[0] in problems
    assert db.session.scalar(select(DeploymentRequest)) is None


def test_a_request_keeps_the_process_tests_with_the_files(as_user, workflows_copy):
    assert as_user("designer").post("/designer/deployments", data={"note": "新增流程测试"}).status_code == 302
    row = db.session.scalar(select(DeploymentRequest))
    kept = row.files["workflows"]
    assert kept["credit_application.tests.json"] == (
        workflows_copy / "credit_application.tests.json"
    ).read_text(encoding="utf-8")
    assert {"warning_escalation.tests.json", "periodic_review.tests.json", "credit_application.bpmn"} <= set(
        kept
    )
