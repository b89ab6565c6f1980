"""Decision tests kept beside each DMN: run on the designer's page, by `flask workflows validate`, and
before every deployment, which a failing case blocks (naming the file and the case)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ProcessDefinition
from app.services.design.deployment import deployment
from app.services.design.deployment.deployment import DeploymentRefused
from tests.web.test_pages import text_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


def break_a_case(rules: Path) -> None:
    """A policy change the tests did not expect: the first approval-authority case now fails."""
    path = rules / "approval_authority.tests.json"
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["cases"][0]["expected"]["approval_level"] = 3
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def test_every_table_in_rules_passes_its_tests_and_the_designer_sees_them(as_user, people):
    page = text_of(as_user("designer").get("/designer"))
    tests = page.split('id="decision-tests"')[1]
    assert (
        'data-table="approval_authority.dmn"' in tests and "all pass" in tests and "sla-overdue" not in tests
    )
    assert "credit_application" in page and "v1" in page
    assert as_user("officer").get("/designer").status_code == 403


def test_a_failing_decision_test_blocks_the_deployment_naming_file_and_case(app, people, rules_copy, as_user):
    before = db.session.scalar(select(func.count()).select_from(ProcessDefinition))
    break_a_case(rules_copy)
    with pytest.raises(DeploymentRefused) as refused:
        deployment.deploy_files(actor=people.designer)
    [problem] = refused.value.problems
    assert problem.filename == "approval_authority.tests.json" and problem.element_id.startswith("SME CNY 5m")
    assert "expected" in problem.message and '"approval_level": 3' in problem.message
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == before  # nothing stored
    page = text_of(as_user("designer").get("/designer"))
    assert "1 failing" in page and "SME CNY 5m" in page


def test_validate_reports_a_failing_case_and_a_broken_tests_file(app, people, rules_copy, cli):
    break_a_case(rules_copy)
    (rules_copy / "review_frequency.tests.json").write_text("{ not json", encoding="utf-8")
    result = cli("workflows", "validate")
    assert result.exit_code != 0
    assert "approval_authority.tests.json" in result.output and "review_frequency.tests.json" in result.output
    assert "not valid JSON at line 1" in result.output
