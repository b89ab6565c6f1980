"""The engine adapter driven without a database: bundle, start, complete, serialize, decisions."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import time_machine

from app import engine
from app.engine.runtime import serialization
from tests.factories import BAD_BPMN, COMPLIANT, NEW_CUSTOMER, intake, statements

ROOT = Path(__file__).resolve().parents[3]
RULES = ROOT / "rules"
BPMN = ROOT / "tests" / "data" / "bpmn"


def _forms(names) -> dict[str, dict]:
    return {name: json.loads((ROOT / "forms" / name).read_text(encoding="utf-8")) for name in names}


def _called(xml: str, name: str) -> dict[str, str]:
    """The files of workflows/ defining the processes ``xml`` calls (as a deployment finds them)."""
    wanted = engine.called_processes(xml, name)
    return {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "workflows").glob("*.bpmn"))
        if engine.process_ids(p.read_text(encoding="utf-8"), p.name) & wanted
    }


def _bundle(bpmn_path: Path) -> engine.Bundle:
    xml = bpmn_path.read_text(encoding="utf-8")
    called = _called(xml, bpmn_path.name)
    decision_ids, form_names = engine.references(xml, bpmn_path.name)
    for name, text in called.items():
        more_decisions, more_forms = engine.references(text, name)
        decision_ids, form_names = decision_ids | more_decisions, form_names | more_forms
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    used = {name: text for name, text in dmn.items() if any(f'id="{d}"' in text for d in decision_ids)}
    return engine.build_bundle(bpmn_path.name, xml, used, _forms(form_names), called_files=called)


@pytest.fixture(scope="module")
def credit() -> engine.Bundle:
    return _bundle(ROOT / "workflows" / "credit_application.bpmn")


def _only_ready(result: engine.StepResult) -> engine.ReadyTask:
    assert len(result.ready_tasks) == 1, result.ready_tasks
    return result.ready_tasks[0]


def _to_approval(bundle: engine.Bundle) -> engine.StepResult:
    result = engine.start(bundle)
    result = engine.complete_task(bundle, result.state, _only_ready(result).uuid, intake())
    result = engine.complete_task(
        bundle, result.state, _only_ready(result).uuid, {"statements": statements()}, NEW_CUSTOMER
    )
    return engine.complete_task(
        bundle,
        result.state,
        _only_ready(result).uuid,
        {
            "proposed_limit": result.data["proposed_limit"],
            "proposed_term_months": 12,
            "proposed_margin_pct": 1.2,
            "officer_opinion": "ok",
        },
        NEW_CUSTOMER,
    )


def test_bundle_knows_its_process_user_tasks_lanes_and_forms(credit):
    assert credit.process_id == "credit_application"
    assert set(credit.decisions) == {
        "customer_segment",
        "credit_rating",
        "limit_proposal",
        "approval_authority",
        "approval_sla",
        "committee_rules",
        "large_exposure",
        "classification_grade_cap",
    }
    tasks = credit.user_tasks
    assert {t: (m.lane, m.form, m.assignee_variable) for t, m in tasks.items()} == {
        "application_intake": ("officer", "application_intake.json", None),
        "financial_statements": ("officer", "financial_statements.json", None),
        "review_proposal": ("officer", "review_proposal.json", None),
        "approval_signoff": ("approver", "approval_signoff.json", None),
        "committee_vote": ("committee", "committee_vote.json", "member"),
        "compliance_checklist": ("compliance", "compliance_checklist.json", None),
    }


def test_same_content_gives_the_cached_bundle_and_changed_content_a_new_one(credit):
    again = _bundle(ROOT / "workflows" / "credit_application.bpmn")
    assert again is credit
    xml = (ROOT / "workflows" / "credit_application.bpmn").read_text(encoding="utf-8")
    changed = engine.build_bundle(
        "credit_application.bpmn",
        xml.replace("Sign off / 审批", "Sign off / 审批2"),
        {},
        {},
        called_files=_called(xml, "credit_application.bpmn"),
    )
    assert changed.content_hash != credit.content_hash


def test_start_waits_at_intake_with_the_initial_data(credit):
    result = engine.start(credit, {"customer_name": "甲公司"})
    task = _only_ready(result)
    assert (task.spec_id, task.lane, task.form) == (
        "application_intake",
        "officer",
        "application_intake.json",
    )
    assert not result.completed and result.decisions == []
    assert ("start", "StartEvent") in result.path
    assert engine.task_data(credit, result.state, task.uuid)["customer_name"] == "甲公司"


def test_intake_runs_the_segment_decision_and_records_it(credit):
    started = engine.start(credit)
    result = engine.complete_task(credit, started.state, _only_ready(started).uuid, intake())
    assert _only_ready(result).spec_id == "financial_statements"
    [decision] = result.decisions
    assert decision.decision_id == "customer_segment" and decision.task_spec == "classify_customer"
    assert decision.dmn_file == "customer_segment.dmn"
    assert decision.inputs["industry"] == "manufacturing" and decision.inputs["size"] == "medium"
    assert decision.outputs == {"segment": "mid_corporate", "z_model": "z_prime"}
    assert len(decision.matched_rules) == 1
    assert result.data["segment"] == "mid_corporate"
    assert ("application_intake", "UserTask") in result.path
    assert ("classify_customer", "BusinessRuleTask") in result.path


def test_statements_run_analysis_rating_limit_and_stop_at_review(credit):
    result = engine.start(credit)
    result = engine.complete_task(credit, result.state, _only_ready(result).uuid, intake())
    result = engine.complete_task(
        credit, result.state, _only_ready(result).uuid, {"statements": statements()}, NEW_CUSTOMER
    )
    assert _only_ready(result).spec_id == "review_proposal"
    assert [d.decision_id for d in result.decisions] == [
        "credit_rating",
        "classification_grade_cap",
        "limit_proposal",
        "large_exposure",
    ]
    assert result.data["grade"] == result.decisions[0].outputs["grade"]
    assert result.data["proposed_limit"] == min(5_000_000, result.data["limit_cap"])


def test_approval_level_comes_from_the_authority_table_and_approve_completes(credit):
    result = _to_approval(credit)
    task = _only_ready(result)
    assert (task.spec_id, task.lane) == ("approval_signoff", "approver")
    authority = next(d for d in result.decisions if d.decision_id == "approval_authority")
    assert result.data["approval_level"] == authority.outputs["approval_level"]
    signed = engine.complete_task(credit, result.state, task.uuid, {"decision": "approve", "comment": "同意"})
    checklist = _only_ready(signed)  # the called compliance process waits for its checklist
    assert (checklist.spec_id, checklist.lane, signed.completed) == (
        "compliance_checklist",
        "compliance",
        False,
    )
    assert (
        engine.task_data(credit, signed.state, checklist.uuid)["proposed_limit"]
        == result.data["proposed_limit"]
    )
    done = engine.complete_task(credit, signed.state, checklist.uuid, COMPLIANT)
    assert done.completed and done.ready_tasks == []
    assert done.data["outcome"] == "approved" and done.data["compliance_result"] == "signed_off"
    assert ("signoff_decision", "ExclusiveGateway") in signed.path
    assert ("compliance_outcome", "ExclusiveGateway") in done.path and (
        "end_approved",
        "EndEvent",
    ) in done.path


def test_return_loops_back_to_review_with_the_comment(credit):
    result = _to_approval(credit)
    back = engine.complete_task(
        credit,
        result.state,
        _only_ready(result).uuid,
        {"decision": "return", "comment": "补充担保", "fields_to_fix": ["proposed_controls"]},
    )
    task = _only_ready(back)
    assert task.spec_id == "review_proposal" and not back.completed
    shown = engine.task_data(credit, back.state, task.uuid)
    assert shown["approver_comment"] == "补充担保" and shown["returned_fields"] == ["proposed_controls"]


def test_state_round_trips_through_json(credit):
    started = engine.start(credit)
    payload = json.loads(started.state)  # plain JSON, storable as text or JSONB
    assert payload
    workflow = serialization.load(started.state, credit)
    assert serialization.load(serialization.dump(workflow), credit) is not None
    assert json.loads(serialization.dump(workflow)) == payload
    # the restored state runs on exactly like the original
    result = engine.complete_task(credit, serialization.dump(workflow), _only_ready(started).uuid, intake())
    assert _only_ready(result).spec_id == "financial_statements"


def test_completing_twice_from_the_same_state_is_refused_on_the_new_state(credit):
    started = engine.start(credit)
    uuid_ = _only_ready(started).uuid
    after = engine.complete_task(credit, started.state, uuid_, intake())
    with pytest.raises(engine.TaskNotReady):
        engine.complete_task(credit, after.state, uuid_, intake())
    with pytest.raises(engine.TaskNotReady):
        engine.task_data(credit, after.state, uuid_)


def test_unknown_task_is_not_ready(credit):
    started = engine.start(credit)
    with pytest.raises(engine.TaskNotReady):
        engine.complete_task(credit, started.state, str(uuid.uuid4()), intake())


def test_restoring_with_another_serializer_version_is_refused(credit):
    started = engine.start(credit)
    payload = json.loads(started.state)
    assert payload["serializer_version"] == engine.SERIALIZER_VERSION
    tampered = json.dumps({**payload, "serializer_version": "0.0-old"})
    with pytest.raises(engine.EngineError, match="stored state cannot be read") as refused:
        engine.complete_task(credit, tampered, _only_ready(started).uuid, intake())
    assert isinstance(refused.value.__cause__, engine.StateVersionError)  # a step of that case fails, named


def test_a_failing_script_raises_engine_error_naming_the_element():
    bundle = _bundle(BPMN / "failing_script.bpmn")
    started = engine.start(bundle)
    task = _only_ready(started)
    with pytest.raises(engine.EngineError) as caught:
        engine.complete_task(bundle, started.state, task.uuid, intake())
    assert caught.value.element_id == "divide_by_zero"
    assert "division by zero" in caught.value.reason
    # the stored state is untouched: the same task can still be completed (and fails the same way)
    assert engine.task_data(bundle, started.state, task.uuid) == {}


@pytest.mark.parametrize(("filename", "element", "reason"), BAD_BPMN)
def test_validate_bundle_names_the_offending_element(filename, element, reason):
    path = BPMN / filename
    xml = path.read_text(encoding="utf-8")
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    problems = engine.validate_bundle(filename, xml, dmn, _forms(["application_intake.json"]), {"officer"})
    assert any(
        p.filename == filename and p.element_id == element and reason in p.message for p in problems
    ), problems
    assert all(p.line for p in problems if p.element_id == element)


def test_validate_bundle_accepts_the_shipped_process(credit):
    xml = (ROOT / "workflows" / "credit_application.bpmn").read_text(encoding="utf-8")
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    forms = _forms(p.name for p in (ROOT / "forms").glob("*.json"))
    assert (
        engine.validate_bundle(
            "credit_application.bpmn",
            xml,
            dmn,
            forms,
            {"officer", "approver", "committee", "compliance"},
            _called(xml, "credit_application.bpmn"),
        )
        == []
    )


def test_validate_bundle_refuses_unknown_lanes():
    xml = (BPMN / "failing_script.bpmn").read_text(encoding="utf-8")
    problems = engine.validate_bundle(
        "failing_script.bpmn", xml, {}, _forms(["application_intake.json"]), {"approver"}
    )
    assert [(p.element_id, "officer" in p.message) for p in problems] == [("Lane_officer", True)]


def test_doctype_is_refused_before_parsing():
    xml = (BPMN / "doctype.bpmn").read_text(encoding="utf-8")
    problems = engine.validate_bundle("doctype.bpmn", xml, {}, {}, None)
    assert len(problems) == 1 and "DOCTYPE" in problems[0].message
    with pytest.raises(ValueError, match="DOCTYPE"):
        engine.references(xml, "doctype.bpmn")


def test_a_process_is_deployed_with_exactly_the_dmn_files_defining_its_decisions():
    rules = {p.name: p.read_text(encoding="utf-8") for p in RULES.glob("*.dmn")}
    # a decision id that only appears as a rule's text elsewhere does not drag that file in
    rules["decoy.dmn"] = rules["credit_rating.dmn"].replace('id="credit_rating"', 'id="other_rating"')
    chosen = engine.decision_files(rules, {"credit_rating", "customer_segment"})
    assert set(chosen) == {"credit_rating.dmn", "customer_segment.dmn"}
    broken = {"broken.dmn": '<definitions><decision id="credit_rating">'}
    assert set(engine.decision_files(broken, {"credit_rating"})) == {"broken.dmn"}


def test_the_sign_off_is_due_when_the_time_limit_table_says_and_escalates_when_overdue(credit):
    with time_machine.travel("2026-12-01 09:00:00+00:00", tick=False) as clock:
        result = _to_approval(credit)
        task = _only_ready(result)
        sla = next(d for d in result.decisions if d.decision_id == "approval_sla")
        days = int(sla.outputs["approval_due"].strip("PD"))
        assert task.due_at.isoformat() == f"2026-12-0{1 + days}T09:00:00+00:00"
        timer = next(t for t in result.timers if t.spec_id == "signoff_overdue")
        assert timer.attached_to == task.uuid

        clock.shift(days * 86400 - 60)  # a minute before the due time nothing moves
        still = engine.fire_due_timers(credit, result.state)
        assert [t.uuid for t in still.ready_tasks] == [task.uuid]

        clock.shift(120)
        late = engine.fire_due_timers(credit, still.state)
        escalated = _only_ready(late)
        level = result.data["approval_level"]
        assert escalated.spec_id == "approval_signoff" and escalated.uuid != task.uuid
        assert late.data["approval_level"] == min(level + 1, sla.outputs["escalation_cap"])
        assert late.data["escalations"] == [{"from_level": level, "to_level": late.data["approval_level"]}]
        assert ("signoff_overdue", "BoundaryEvent") in late.path


def test_a_live_path_that_loops_without_waiting_fails_the_step_instead_of_seeming_to_stop():
    # the way out (laps < 0) is never taken: unchecked, SpiffWorkflow's 1,000-deep walk would just stop there
    bundle = engine.build_bundle(
        "endless_loop.bpmn", (BPMN / "endless_loop.bpmn").read_text(encoding="utf-8"), {}, {}
    )
    with pytest.raises(engine.EngineError) as failed:
        engine.start(bundle, {"laps": 0})
    assert str(failed.value).endswith("the path ran more than 900 steps from the start: a loop?")
