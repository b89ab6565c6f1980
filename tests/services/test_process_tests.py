"""Process tests kept beside each BPMN (workflows/<name>.tests.json): scripted paths run in memory, on every
save and before every deployment, which a failing case blocks (naming the tests file and the case)."""

from __future__ import annotations

import dataclasses
import json
import time
from collections import OrderedDict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import engine
from app.engine import simulation
from app.engine.sandbox import SandboxViolation
from app.engine.sandbox import limits as sandbox_limits
from app.engine.scripting import SandboxEnvironment
from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessDefinition, ProcessInstance
from app.services.design.deployment import deployment
from app.services.design.deployment.deployment import DeploymentRefused
from app.services.design.testing import process_tests

ROOT = Path(__file__).resolve().parents[2]
CREDIT = "credit_application"


def candidate(name: str = CREDIT, workflows: Path = ROOT / "workflows") -> deployment.Candidate:
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    found = deployment.prepare(workflows / f"{name}.bpmn", dmn, ROOT / "forms", workflows)
    assert found.problems == []
    return found


def spec(name: str = CREDIT) -> dict:
    return json.loads((ROOT / "workflows" / f"{name}.tests.json").read_text(encoding="utf-8"))


def run(tests: dict | str, name: str = CREDIT) -> list[process_tests.CaseResult]:
    c = candidate(name)
    text = tests if isinstance(tests, str) else json.dumps(tests, ensure_ascii=False, indent=2)
    return process_tests.run_text(c.bpmn_file, c.bpmn_xml, text, c.dmn_files, c.forms, c.called_files)


def case_named(tests: dict, start: str) -> dict:
    [case] = [c for c in tests["cases"] if c["name"].startswith(start)]
    return case


def failures(results):
    return [r for r in results if not r.ok]


def test_the_shipped_process_tests_pass_without_a_row_or_an_audit_event(app):
    before = [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (ProcessInstance, HumanTask, AuditEvent, ProcessDefinition)
    ]
    started = time.perf_counter()
    candidates = [candidate(name) for name in (CREDIT, "warning_escalation", "periodic_review")]
    results = process_tests.run_dir(candidates, ROOT / "workflows")
    assert time.perf_counter() - started < 5
    assert failures(results) == []
    files = {r.file for r in results}
    assert files == {
        "credit_application.tests.json",
        "warning_escalation.tests.json",
        "periodic_review.tests.json",
    }
    assert sum(r.file == "credit_application.tests.json" for r in results) >= 3
    after = [
        db.session.scalar(select(func.count()).select_from(model))
        for model in (ProcessInstance, HumanTask, AuditEvent, ProcessDefinition)
    ]
    assert after == before == [0, 0, 0, 0]
    assert deployment.validate_files([]) == []  # and validate (what `flask workflows validate` runs) agrees


def test_a_wrong_expected_end_fails_naming_the_case(app):
    tests = spec()
    case = case_named(tests, "The approver rejects")
    case["expected"]["end"] = "end_approved"
    [failed] = failures(run(tests))
    assert failed.name == case["name"] and failed.step is None and failed.element == "end_approved"
    assert failed.message == "end state: expected the end event end_approved, got end_rejected"
    assert (failed.expected, failed.actual) == ("end_approved", "end_rejected")
    assert (
        failed.line
        and '"name": "The approver rejects'
        in json.dumps(tests, ensure_ascii=False, indent=2).splitlines()[failed.line - 1]
    )


def test_a_path_that_goes_elsewhere_fails_at_its_step(app):
    tests = spec()
    case = case_named(tests, "The approver rejects")
    case["steps"].append({"task": "compliance_checklist", "data": {"compliance_decision": "sign_off"}})
    [failed] = failures(run(tests))
    assert (failed.name, failed.step, failed.element) == (case["name"], 5, "compliance_checklist")
    assert failed.message.startswith(
        "step 5 (task compliance_checklist): expected compliance_checklist waiting, "
        "but the process completed at end_rejected"
    )


def test_data_and_waiting_tasks_are_compared_key_by_key(app):
    tests = spec()
    case_named(tests, "Approved on one sign-off")["expected"]["data"]["outcome"] = "rejected"
    case_named(tests, "Compliance returns")["expected"]["ready"] = ["approval_signoff"]
    first, second = failures(run(tests))
    assert first.message == 'end state: data.outcome expected "rejected", got "approved"'
    assert second.message == "end state: expected waiting approval_signoff, got review_proposal"


def test_a_step_naming_an_unknown_task_says_so(app):
    tests = spec()
    case = case_named(tests, "The approver rejects")
    case["steps"][3]["task"] = "approve_it"
    [failed] = failures(run(tests))
    assert failed.step == 4 and failed.element == "approve_it"
    assert "'approve_it': credit_application has no such user task" in failed.message
    assert "approval_signoff" in failed.message  # the tasks it has are listed


def test_an_unknown_timer_message_or_end_is_named(app):
    tests = spec()
    cases = tests["cases"]
    cases[0]["steps"].append({"timer": "no_timer"})
    cases[1]["steps"].append({"message": "no_message"})
    cases[2]["expected"]["end"] = "nowhere"
    messages = [r.message for r in failures(run(tests))]
    assert (
        "the timer 'no_timer': credit_application has no such timer event (timers: signoff_overdue)"
        in messages[0]
    )
    assert "the message 'no_message'" in messages[1]
    assert "expected end 'nowhere' is not an end event" in messages[2] and "end_rejected" in messages[2]


def test_form_data_is_checked_as_a_submission_is_naming_the_step_and_field(app):
    tests = spec()
    case = case_named(tests, "The approver rejects")
    case["steps"][0]["data"]["requested_amount"] = "a lot"
    [failed] = failures(run(tests))
    assert failed.step == 1 and failed.element == "application_intake"
    assert failed.message.startswith(
        "step 1 (task application_intake): application_intake.json refuses the data"
    )
    assert "requested_amount: " in failed.message and "must be a number" in failed.message

    case["steps"][0]["data"]["requested_amount"] = 5000000
    case["steps"][0]["data"]["uscc"] = "91310000MA0000023B"  # a wrong check character: the x-validator
    case["steps"][2]["data"]["grade"] = "AAA"  # read-only on the review form
    results = failures(run(tests))
    assert "uscc: " in results[0].message
    case["steps"][0]["data"]["uscc"] = "91310000MA0000023A"
    [failed] = failures(run(tests))
    assert failed.step == 3 and "grade: read-only on the form" in failed.message


def test_a_timer_fires_on_demand_and_only_when_it_waits(app):
    tests = spec()
    case = case_named(tests, "A sign-off not done in time")
    case["steps"] += [
        {"timer": "signoff_overdue"},
        {"task": "approval_signoff", "data": {"decision": "reject", "comment": "超时未补充材料"}},
        {"timer": "signoff_overdue"},
    ]
    [failed] = failures(run(tests))
    assert (failed.step, failed.element) == (7, "signoff_overdue")
    assert "expected the timer to be waiting, but the process completed at end_rejected" in failed.message


def test_a_malformed_tests_file_names_the_file_and_the_json_line(app):
    [failed] = run('{\n  "process": "credit_application",\n  "cases": [\n    {"name": "x",}\n  ]\n}\n')
    assert (failed.file, failed.line) == ("credit_application.tests.json", 4)
    assert failed.message.startswith("not valid JSON at line 4:")
    [wrong] = run({"process": "credit_approval", "cases": []})
    assert "the process 'credit_approval'" in wrong.message and "defines: credit_application" in wrong.message
    [shapeless] = run({"cases": {}})
    assert shapeless.message.startswith('needs {"process"')
    [members] = run({"process": CREDIT, "members": {"committee": "cro"}, "cases": []})
    assert members.message == '"members" must map each group to a list of usernames'
    [stepless] = run(
        {
            "process": CREDIT,
            "cases": [
                {"name": "odd", "steps": [{"task": "a", "timer": "b"}], "expected": {"status": "completed"}}
            ],
        }
    )
    assert (
        stepless.name == "odd"
        and "step 1 must name exactly one of task, timer or message" in stepless.message
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"start_message": ["m"]}, '"start_message" must name a message (a string)'),
        (
            {"steps": [{"task": ["application_intake"]}]},
            "step 1: the task (and the assignee, if any) must be named",
        ),
        (
            {"steps": [{"task": "application_intake", "assignee": {}}]},
            "step 1: the task (and the assignee, if any)",
        ),
        (
            {"expected": {"status": "waiting", "end": {"a": 1}}},
            'expected "end" must name an end event (a string)',
        ),
        (
            {"expected": {"status": "waiting", "ready": [{"id": "application_intake"}]}},
            'expected "ready" must be a list of user task ids',
        ),
    ],
)
def test_a_case_naming_elements_by_other_than_strings_fails_naming_it(app, case, message):
    [failed] = run(
        {
            "process": CREDIT,
            "cases": [{"name": "odd", "steps": [], "expected": {"status": "waiting"}, **case}],
        }
    )
    assert (failed.file, failed.name, failed.ok) == ("credit_application.tests.json", "odd", False)
    assert failed.message.startswith(message), failed.message


def test_deeply_nested_json_fails_naming_the_file_or_the_case(app):
    [failed] = run("[" * 100_000 + "]" * 100_000)
    assert (failed.file, failed.message) == (
        "credit_application.tests.json",
        "not valid JSON: nested too deeply",
    )
    deep = "[" * 900 + "]" * 900  # parses, but is too deep to run and compare
    [case] = run(
        '{"process": "credit_application", "cases": [{"name": "deep", "start": {"x": ' + deep + "}, "
        '"steps": [], "expected": {"status": "waiting", "data": {"x": ' + deep + "}}}]}"
    )
    assert (case.name, case.message) == ("deep", "the case is nested too deeply to run")


def run_endless_loop() -> list[process_tests.CaseResult]:
    """A draft whose path loops back without waiting (its way out is never taken)."""
    xml = (ROOT / "tests" / "data" / "bpmn" / "endless_loop.bpmn").read_text(encoding="utf-8")
    tests = {
        "process": "endless_loop",
        "cases": [{"name": "laps", "start": {"laps": 0}, "steps": [], "expected": {"status": "completed"}}],
    }
    return process_tests.run_text("endless_loop.bpmn", xml, json.dumps(tests), {}, {})


def test_a_path_that_loops_without_waiting_fails_instead_of_seeming_completed(app, monkeypatch):
    # SpiffWorkflow stops looking 1,000 tasks deep: unchecked, the loop "completed" there. The step bound is
    # what this asserts: the time bound must not come first on a loaded machine.
    monkeypatch.setattr(simulation, "MAX_SECONDS", 120.0)
    monkeypatch.setattr(
        sandbox_limits,
        "LIMITS",
        dataclasses.replace(sandbox_limits.LIMITS, check_seconds=120.0, action_seconds=120.0),
    )
    [failed] = run_endless_loop()
    assert (failed.name, failed.ok, failed.step) == ("laps", False, 0)
    assert failed.message.startswith("start: the process failed: ")
    assert failed.message.endswith(": the path ran more than 900 steps from the start: a loop?")


@pytest.mark.parametrize(
    ("limit", "value", "over"),
    [("MAX_ENGINE_STEPS", 100, "100 steps without waiting"), ("MAX_SECONDS", 0, "0 seconds without waiting")],
)
def test_a_path_running_too_many_steps_or_too_long_without_waiting_fails(
    app, monkeypatch, limit, value, over
):
    monkeypatch.setattr(simulation, limit, value)
    monkeypatch.setattr(process_tests, "_RESULTS", OrderedDict())
    [failed] = run_endless_loop()
    assert failed.message.endswith(f": the path ran more than {over}: a loop?"), failed.message


def test_a_path_past_the_seconds_of_its_whole_check_fails_naming_them(app, monkeypatch):
    """A tests file's check (a draft's save) ends by its deadline, however its actions share the time."""
    monkeypatch.setattr(process_tests, "_RESULTS", OrderedDict())
    monkeypatch.setattr(
        sandbox_limits, "LIMITS", dataclasses.replace(sandbox_limits.LIMITS, check_seconds=0.0)
    )
    [failed] = run_endless_loop()
    assert failed.message.endswith(": the path ran more than the 0 seconds its whole check may take: a loop?")


def test_scripts_still_run_in_the_sandbox(app):
    simulation = engine.Simulation(
        engine.build_bundle(
            candidate().bpmn_file,
            candidate().bpmn_xml,
            candidate().dmn_files,
            candidate().forms,
            called_files=candidate().called_files,
        )
    )
    environment = simulation.engine.environment
    assert isinstance(environment, SandboxEnvironment)
    with pytest.raises(SandboxViolation):
        environment.execute("import os", {})


def test_a_bpmn_change_that_breaks_a_path_blocks_the_deployment(app, people, workflows_copy):
    path = workflows_copy / "credit_application.bpmn"
    xml = path.read_text(encoding="utf-8")
    assert xml.count('<bpmn:script>outcome = "rejected"</bpmn:script>') == 1
    path.write_text(
        xml.replace(
            '<bpmn:script>outcome = "rejected"</bpmn:script>',
            '<bpmn:script>outcome = "declined"</bpmn:script>',
        ),
        encoding="utf-8",
    )
    with pytest.raises(DeploymentRefused) as refused:
        deployment.deploy_files(actor=people.designer)
    [problem] = refused.value.problems
    assert problem.filename == "credit_application.tests.json"
    assert problem.element_id.startswith("The approver rejects") and problem.line
    assert (
        problem.message == 'process test failed: end state: data.outcome expected "rejected", got "declined"'
    )
    assert db.session.scalar(select(func.count()).select_from(ProcessDefinition)) == 0  # nothing stored
    assert [str(p) for p in deployment.validate_files([])] == [str(problem)]


def test_a_called_process_is_tested_with_its_caller(app, people, workflows_copy):
    (workflows_copy / "compliance_signoff.tests.json").write_text(
        json.dumps(
            {
                "process": "compliance_signoff",
                "cases": [
                    {
                        "name": "Returned / 退回",
                        "steps": [
                            {
                                "task": "compliance_checklist",
                                "data": {
                                    "compliance_decision": "return",
                                    "compliance_findings": "担保合同缺失",
                                },
                            }
                        ],
                        "expected": {"status": "completed", "end": "end_compliance_signed"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(DeploymentRefused) as refused:
        deployment.deploy_files(actor=people.designer)
    [problem] = refused.value.problems
    assert (problem.filename, problem.element_id) == ("compliance_signoff.tests.json", "Returned / 退回")
    assert "expected the end event end_compliance_signed, got end_compliance_returned" in problem.message


def test_validate_reports_a_broken_process_tests_file(app, people, workflows_copy):
    (workflows_copy / "periodic_review.tests.json").write_text(
        '{"process": "periodic_review",\n "cases": [}', encoding="utf-8"
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["workflows", "validate"])
    assert result.exit_code == 1
    assert "periodic_review.tests.json:2: process test failed: not valid JSON at line 2" in result.output
