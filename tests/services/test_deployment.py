"""Deploying definitions: validation, versions by content, instances pinned to their version."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, ProcessDefinition
from app.services.cases import cases, tasks
from app.services.design.deployment import deployment
from tests import factories
from tests.factories import case_at, open_task, review

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "tests" / "data" / "bpmn"


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def definitions(process_id: str = "credit_application") -> list[tuple[str, int]]:
    return [
        tuple(r)
        for r in db.session.execute(
            select(ProcessDefinition.process_id, ProcessDefinition.version)
            .where(ProcessDefinition.process_id == process_id)
            .order_by(ProcessDefinition.id)
        )
    ]


def deployed_events() -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.event_type == "definition.deployed")
    )


def credit(outcomes):
    """The credit application's outcome of a deployment (workflows/ holds other processes too)."""
    [outcome] = [o for o in outcomes if o.process_id == "credit_application"]
    return outcome


def everything_needs_level_3(rules: Path) -> None:
    """Policy change: branch and head-office approvers lose their amount authority over ordinary proposals (the
    rules of a proposal over a concentration limit, which come first in the table, are left as they were)."""
    path = rules / "approval_authority.dmn"
    xml = path.read_text(encoding="utf-8")
    # each amount bound twice: the rule of a proposal over a concentration limit, then the ordinary rule
    assert xml.count("&lt;= 10000000") == 2 and xml.count("&lt;= 50000000") == 2
    for bound in ("&lt;= 10000000", "&lt;= 50000000"):
        last = xml.rindex(bound)
        xml = xml[:last] + "&lt;= 1000" + xml[last + len(bound) :]
    path.write_text(xml, encoding="utf-8")
    # the designer updates the table's decision tests with it (a CNY 10m grade A credit now needs level 3)
    tests = rules / "approval_authority.tests.json"
    spec = json.loads(tests.read_text(encoding="utf-8"))
    [case] = [c for c in spec["cases"] if c["name"].startswith("CNY 10m grade A:")]
    case["expected"]["approval_level"] = 3
    tests.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def test_first_deploy_stores_bpmn_with_the_dmn_and_forms_it_uses(app, people):
    outcomes = deployment.deploy_files(actor=people.designer, note="initial")
    assert {o.process_id for o in outcomes} == {
        "credit_application",
        "warning_escalation",
        "periodic_review",
        "audit_sampling",
        "collateral_revaluation",
        "post_loan_inspection",
        "case_analysis",
    }
    outcome = credit(outcomes)
    assert (outcome.process_id, outcome.version, outcome.created) == ("credit_application", 1, True)
    definition = deployment.latest_definition("credit_application")
    assert set(definition.dmn_files) == {
        "customer_segment.dmn",
        "credit_rating.dmn",
        "limit_proposal.dmn",
        "approval_authority.dmn",
        "approval_sla.dmn",
        "committee_rules.dmn",
        "large_exposure.dmn",
        "classification_grade_cap.dmn",
    }
    assert set(definition.forms) == {
        "application_intake.json",
        "financial_statements.json",
        "review_proposal.json",
        "approval_signoff.json",
        "committee_vote.json",
        "compliance_checklist.json",
    }
    # the compliance sign-off it calls is deployed inside it, not as a process of its own
    assert set(definition.called_files) == {"compliance_signoff.bpmn"}
    assert deployment.latest_definition("compliance_signoff", required=False) is None
    assert (definition.deployed_by_id, definition.note) == (people.designer.id, "initial")
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.event_type == "definition.deployed",
            AuditEvent.payload["process_id"].as_string() == "credit_application",
        )
    )
    assert event.actor_name == "designer" and event.payload["version"] == 1
    assert event.payload["content_hash"] == definition.content_hash


def test_redeploying_unchanged_files_creates_no_version(app):
    deployment.deploy_files()
    again = credit(deployment.deploy_files())
    assert (again.version, again.created) == (1, False)
    assert definitions() == [("credit_application", 1)]
    assert deployed_events() == 7  # each process once


def test_a_changed_dmn_makes_version_2_and_running_cases_stay_on_version_1(app, people, rules_copy):
    factories.deploy()
    old_case = case_at("review", people.officer)
    everything_needs_level_3(rules_copy)
    outcome = credit(deployment.deploy_files())
    assert (outcome.version, outcome.created) == (2, True)
    assert definitions() == [("credit_application", 1), ("credit_application", 2)]
    v1, v2 = db.session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == "credit_application")
        .order_by(ProcessDefinition.version)
    ).all()
    assert v1.content_hash != v2.content_hash
    assert v1.dmn_files["approval_authority.dmn"] != v2.dmn_files["approval_authority.dmn"]
    assert v1.dmn_files["credit_rating.dmn"] == v2.dmn_files["credit_rating.dmn"]

    # the old case runs on with the table it started with
    tasks.complete(people.officer, open_task(old_case.id, "review_proposal").id, review(old_case))
    db.session.refresh(old_case)
    assert old_case.definition.version == 1 and old_case.summary["approval_level"] in (1, 2)
    # a new case takes the new table
    new_case = case_at("approval", people.officer)
    assert new_case.definition.version == 2 and new_case.summary["approval_level"] == 3
    assert new_case.summary["proposed_limit"] == old_case.summary["proposed_limit"]
    # and a third deploy of the same files changes nothing
    assert deployment.deploy_files()[0].created is False


@pytest.mark.parametrize(
    ("filename", "element"),
    [
        ("script_import_os.bpmn", "run_shell"),
        ("script_dunder.bpmn", "climb_classes"),
        ("script_open.bpmn", "read_secrets"),
        ("condition_eval.bpmn", "flow_eval"),
        ("missing_form.bpmn", "ghost_form_task"),
        ("missing_decision.bpmn", "ghost_decision_task"),
        ("doctype.bpmn", None),
    ],
)
def test_bad_diagrams_are_refused_and_nothing_is_stored(app, filename, element):
    with pytest.raises(deployment.DeploymentRefused) as caught:
        deployment.deploy_files([BPMN / filename])
    assert caught.value.status == 422
    assert any(p.filename == filename and p.element_id == element for p in caught.value.problems), (
        caught.value.problems
    )
    assert f"{filename}:{element or ''}" in caught.value.errors
    assert definitions() == [] and deployed_events() == 0


def test_doctype_is_refused_outright(app):
    with pytest.raises(deployment.DeploymentRefused) as caught:
        deployment.deploy_files([BPMN / "doctype.bpmn"])
    assert "DOCTYPE" in caught.value.problems[0].message


def test_deploy_is_all_or_nothing(app):
    with pytest.raises(deployment.DeploymentRefused):
        deployment.deploy_files([ROOT / "workflows" / "credit_application.bpmn", BPMN / "script_open.bpmn"])
    assert definitions() == []


def test_a_broken_dmn_in_rules_refuses_the_deploy(app, rules_copy):
    (rules_copy / "credit_rating.dmn").write_text("<definitions>not a decision", encoding="utf-8")
    problems = deployment.validate_files([])
    assert any(p.filename == "credit_rating.dmn" for p in problems)
    with pytest.raises(deployment.DeploymentRefused):
        deployment.deploy_files()
    assert definitions() == []


def test_validate_files_finds_no_problem_in_the_shipped_files(app):
    assert deployment.validate_files([]) == []


def test_a_second_process_gets_its_own_version_line(app, people):
    deployment.deploy_files()
    [outcome] = deployment.deploy_files([BPMN / "failing_script.bpmn"])
    assert (outcome.process_id, outcome.version) == ("failing_script", 1)
    definition = deployment.latest_definition("failing_script")
    assert definition.dmn_files == {} and set(definition.forms) == {"application_intake.json"}
    assert cases.start_case(people.officer, "failing_script").definition_id == definition.id


def test_a_call_activity_naming_no_deployed_process_is_refused_naming_it(app, people, tmp_path, monkeypatch):
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    xml = (ROOT / "workflows" / "credit_application.bpmn").read_text(encoding="utf-8")
    (workflows / "credit_application.bpmn").write_text(xml, encoding="utf-8")  # its callee left out
    monkeypatch.setitem(app.config, "WORKFLOWS_DIR", str(workflows))
    with pytest.raises(deployment.DeploymentRefused) as caught:
        deployment.deploy_files(actor=people.designer)
    [problem] = [p for p in caught.value.problems if p.element_id == "compliance_review"]
    assert "compliance_signoff" in problem.message and problem.filename == "credit_application.bpmn"
    assert problem.line
    assert deployment.latest_definition("credit_application", required=False) is None


def test_a_form_naming_an_unknown_check_is_refused_naming_the_form(app, people, tmp_path, monkeypatch):
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    path = forms / "review_proposal.json"
    path.write_text(
        path.read_text(encoding="utf-8").replace('"large_exposure"', '"no_such_check"'), encoding="utf-8"
    )
    monkeypatch.setitem(app.config, "FORMS_DIR", str(forms))
    with pytest.raises(deployment.DeploymentRefused) as caught:
        deployment.deploy_files(actor=people.designer)
    assert [p.filename for p in caught.value.problems] == ["review_proposal.json"]
    assert "no_such_check" in caught.value.problems[0].message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "the form must be a JSON object"),
        ('"x"', "the form must be a JSON object"),
        (
            '{"type": "object", "properties": {"a": {"type": "string"}}, "x-checks": 5}',
            "x-checks: must be a list of check names",
        ),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
    ],
)
def test_a_form_that_is_no_schema_is_reported_naming_it(app, tmp_path, monkeypatch, content, message):
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", forms)
    (forms / "review_proposal.json").write_text(content, encoding="utf-8")
    monkeypatch.setitem(app.config, "FORMS_DIR", str(forms))
    problems = deployment.validate_files([])
    assert message in [p.message for p in problems if p.filename == "review_proposal.json"]
