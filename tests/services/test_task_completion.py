"""Completing human tasks through the services: a case's whole life by officer and approver, a task's form, and what
a completion refuses (a completed task, a stale version, invalid or read-only fields, a failing script) changing
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, ProcessFailed
from app.extensions import db
from app.localtime import local_time
from app.models import AuditEvent, HumanTask
from app.services.cases import cases, tasks
from app.services.design.deployment import deployment
from tests.factories import case_at, compliance_sign_off, intake, open_task, review, snapshot, statements

BPMN = Path(__file__).resolve().parents[1] / "data" / "bpmn"

pytestmark = pytest.mark.usefixtures("english_request")


def test_full_lifecycle_by_officer_and_approver(deployed, people):
    instance = case_at("approval", people.officer)
    signoff = open_task(instance.id, "approval_signoff")
    level = instance.summary["approval_level"]
    assert signoff.lane == "approver" and signoff.required_level == level and level in (1, 2)
    approver = {1: people.approver1, 2: people.approver2}[level]
    tasks.complete(approver, signoff.id, {"decision": "approve", "comment": "同意"})
    compliance_sign_off(instance, people.compliance)
    assert (instance.status, instance.outcome) == ("completed", "approved")
    done = db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)
    ).all()
    assert [(t.task_spec, t.state, t.completed_by.username) for t in done] == [
        ("application_intake", "completed", "officer"),
        ("financial_statements", "completed", "officer"),
        ("review_proposal", "completed", "officer"),
        ("approval_signoff", "completed", approver.username),
        ("compliance_checklist", "completed", "compliance"),
    ]
    assert done[-2].submitted == {"decision": "approve", "comment": "同意"}


def test_open_task_gives_form_data_and_version(deployed, people):
    instance = case_at("statements", people.officer)
    view = tasks.open_task(people.officer, open_task(instance.id, "financial_statements").id)
    assert view.schema["$id"] == "financial_statements"
    assert view.data["customer_name"] == intake()["customer_name"] and view.data["segment"] == "mid_corporate"
    assert view.instance_version == instance.version


def test_completing_a_completed_task_is_a_conflict_naming_who_and_when(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.complete(people.officer, task.id, intake())
    before = snapshot(instance.id)
    for user in (people.officer, people.officer2):
        with pytest.raises(Conflict) as caught:
            tasks.complete(user, task.id, intake(customer_name="改名公司"))
        assert caught.value.status == 409
        assert caught.value.message.startswith("This task was completed by officer at ")
        assert local_time(task.completed_at, "%Y-%m-%d %H:%M:%S") in caught.value.message
    assert snapshot(instance.id) == before
    db.session.refresh(instance)
    assert instance.summary["customer_name"] == intake()["customer_name"]


def test_a_stale_version_is_a_conflict_and_changes_nothing(deployed, people):
    instance = case_at("statements", people.officer)
    stale = instance.version - 1
    task = open_task(instance.id, "financial_statements")
    before = snapshot(instance.id)
    with pytest.raises(Conflict) as caught:
        tasks.complete(people.officer, task.id, {"statements": statements()}, expected_version=stale)
    assert caught.value.status == 409 and "changed by officer at" in caught.value.message
    assert snapshot(instance.id) == before
    tasks.complete(people.officer, task.id, {"statements": statements()}, expected_version=instance.version)
    assert open_task(instance.id, "review_proposal")


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({}, "decision", None),
        ({"decision": "return"}, "comment", None),
        ({"decision": "reject"}, "comment", None),
        ({"decision": "maybe", "comment": "x"}, "decision", None),
    ],
)
def test_invalid_signoff_is_refused_per_field_and_changes_nothing(deployed, people, data, field, text):
    instance = case_at("approval", people.officer)
    signoff = open_task(instance.id, "approval_signoff")
    before = snapshot(instance.id)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(people.approver3, signoff.id, data, locale="en")
    assert caught.value.status == 422 and field in caught.value.errors
    assert snapshot(instance.id) == before


def test_invalid_intake_names_every_missing_field_and_a_wrong_check_character(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    before = snapshot(instance.id)
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(people.officer, task.id, {}, locale="en")
    assert set(caught.value.errors) == {
        "customer_name",
        "uscc",
        "industry",
        "size",
        "credit_record",
        "requested_amount",
        "requested_term_months",
        "purpose",
    }
    good = intake()["uscc"]
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidInput) as caught:
        tasks.complete(people.officer, task.id, intake(uscc=wrong), locale="en")
    assert list(caught.value.errors) == ["uscc"] and "check character" in caught.value.errors["uscc"]
    assert snapshot(instance.id) == before


def test_read_only_fields_cannot_be_submitted(deployed, people):
    instance = case_at("review", people.officer)
    task = open_task(instance.id, "review_proposal")
    grade = instance.summary["grade"]
    tasks.complete(people.officer, task.id, review(instance, grade="AAA", limit_cap=999_999_999))
    db.session.refresh(instance)
    assert instance.summary["grade"] == grade and instance.summary["limit_cap"] != 999_999_999


def test_a_failing_script_rolls_the_step_back_and_audits_the_error(deployed, people):
    deployment.deploy_files([BPMN / "failing_script.bpmn"])
    instance = cases.start_case(people.officer, "failing_script")
    task = open_task(instance.id, "enter_application")
    tasks.claim(people.officer, task.id)
    tasks_before, events_before, version, rows = snapshot(instance.id)
    with pytest.raises(ProcessFailed) as caught:
        tasks.complete(people.officer, task.id, intake())
    assert caught.value.status == 422
    assert "divide_by_zero" in caught.value.message and "division by zero" in caught.value.message
    after = snapshot(instance.id)
    assert (after[0], after[2], after[3]) == (tasks_before, version, rows)
    new_events = db.session.execute(
        select(AuditEvent.event_type, AuditEvent.payload).where(AuditEvent.id > events_before)
    ).all()
    assert [e.event_type for e in new_events] == ["engine.error"]
    assert new_events[0].payload["element"] == "divide_by_zero"
    db.session.refresh(task)
    assert task.state == "ready" and task.completed_at is None
