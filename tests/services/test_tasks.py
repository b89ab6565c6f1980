"""Human tasks through the services: who may act, claim, unclaim, complete, the lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from app.errors import (
    Conflict,
    DomainError,
    InsufficientAuthority,
    InvalidInput,
    NotAuthorized,
    ProcessFailed,
    SegregationOfDutiesViolation,
)
from app.extensions import db
from app.localtime import local_time
from app.models import AuditEvent, HumanTask, ProcessInstance, UserGroup
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import cases, tasks
from app.services.design.deployment import deployment
from tests.factories import (
    PASSWORD,
    case_at,
    compliance_sign_off,
    intake,
    open_task,
    review,
    snapshot,
    statements,
)

BPMN = Path(__file__).resolve().parents[1] / "data" / "bpmn"


@pytest.fixture(autouse=True)
def request_context(app, request):
    """Refusal messages are translated for the request's language (English here)."""
    if request.node.name == "test_refusals_outside_a_request_are_domain_errors":
        yield
        return
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def level3_case(officer) -> ProcessInstance:
    """A case at sign-off that needs the chief credit officer (> CNY 50 million)."""
    instance = case_at("review", officer)
    tasks.complete(officer, open_task(instance.id, "review_proposal").id, review(instance, proposed_limit=60_000_000))
    return instance


def dual_role_user(admin):
    """An officer an admin also put in the approver group, with the highest authority and a qualification."""
    user, _ = users.create_user("dual", "officer", PASSWORD, actor=admin)
    db.session.add(UserGroup(user_id=user.id, group_code="approver"))
    user.authority_level = 3
    db.session.commit()
    qualifications.record(admin, "dual", "CQ-2026-0500", "2099-12-31")
    db.session.refresh(user)
    assert user.group_codes == {"officer", "approver"}
    return user


def test_full_lifecycle_by_officer_and_approver(deployed, people):
    instance = case_at("approval", people.officer)
    signoff = open_task(instance.id, "approval_signoff")
    level = instance.summary["approval_level"]
    assert signoff.lane == "approver" and signoff.required_level == level and level in (1, 2)
    approver = {1: people.approver1, 2: people.approver2}[level]
    tasks.complete(approver, signoff.id, {"decision": "approve", "comment": "同意"})
    compliance_sign_off(instance, people.compliance)
    assert (instance.status, instance.outcome) == ("completed", "approved")
    done = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                              .order_by(HumanTask.id)).all()
    assert [(t.task_spec, t.state, t.completed_by.username) for t in done] == [
        ("application_intake", "completed", "officer"), ("financial_statements", "completed", "officer"),
        ("review_proposal", "completed", "officer"), ("approval_signoff", "completed", approver.username),
        ("compliance_checklist", "completed", "compliance")]
    assert done[-2].submitted == {"decision": "approve", "comment": "同意"}


def test_open_task_gives_form_data_and_version(deployed, people):
    instance = case_at("statements", people.officer)
    view = tasks.open_task(people.officer, open_task(instance.id, "financial_statements").id)
    assert view.schema["$id"] == "financial_statements"
    assert view.data["customer_name"] == intake()["customer_name"] and view.data["segment"] == "mid_corporate"
    assert view.instance_version == instance.version


def test_claimed_task_is_refused_to_everyone_else(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer, task.id)
    before = snapshot(instance.id)
    for attempt in (lambda: tasks.claim(people.officer2, task.id),
                    lambda: tasks.open_task(people.officer2, task.id),
                    lambda: tasks.complete(people.officer2, task.id, intake()),
                    lambda: tasks.unclaim(people.officer2, task.id)):
        with pytest.raises(NotAuthorized) as caught:
            attempt()
        assert caught.value.status == 403
    assert "claimed by officer" in str(tasks_refusal(people.officer2, task.id))
    assert snapshot(instance.id) == before
    assert task.id not in [t.id for t in tasks.my_tasks(people.officer2).rows]
    assert task.id in [t.id for t in tasks.my_tasks(people.officer).rows]


def tasks_refusal(user, task_id) -> str:
    with pytest.raises(DomainError) as caught:
        tasks.check_may_act(user, db.session.get(HumanTask, task_id))
    return caught.value.message


def test_unclaim_puts_the_task_back_for_the_group(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer, task.id)
    tasks.unclaim(people.officer, task.id)
    assert task.assignee_id is None
    tasks.claim(people.officer2, task.id)
    tasks.complete(people.officer2, task.id, intake())
    events = db.session.execute(select(AuditEvent.event_type, AuditEvent.actor_name)
                                .where(AuditEvent.payload["task_uuid"].as_string() == task.task_uuid)
                                .order_by(AuditEvent.id)).all()
    assert [tuple(e) for e in events] == [("task.ready", "officer"), ("task.claimed", "officer"),
                                          ("task.unclaimed", "officer"), ("task.claimed", "officer2"),
                                          ("task.completed", "officer2")]


def test_claiming_twice_is_idempotent(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer, task.id)
    count = snapshot(instance.id).audit_rows
    tasks.claim(people.officer, task.id)
    assert snapshot(instance.id).audit_rows == count


def test_officer_may_not_open_an_approver_task_nor_approver_an_officer_task(deployed, people):
    instance = case_at("approval", people.officer2)
    signoff = open_task(instance.id, "approval_signoff")
    with pytest.raises(NotAuthorized, match="belongs to the Approver group"):
        tasks.open_task(people.officer, signoff.id)
    other = cases.start_case(people.officer, "credit_application")
    intake_task = open_task(other.id, "application_intake")
    before = snapshot(other.id)
    with pytest.raises(NotAuthorized, match="belongs to the Credit officer group"):
        tasks.complete(people.approver3, intake_task.id, intake())
    with pytest.raises(NotAuthorized, match="belongs to the Credit officer group"):
        tasks.claim(people.approver3, intake_task.id)
    assert snapshot(other.id) == before
    assert intake_task.id not in [t.id for t in tasks.my_tasks(people.approver3).rows]


def test_the_officer_who_worked_the_case_may_not_approve_it_even_with_the_approver_group(deployed, people):
    dual = dual_role_user(people.admin)
    instance = case_at("approval", dual)
    signoff = open_task(instance.id, "approval_signoff")
    before = snapshot(instance.id)
    for attempt in (lambda: tasks.claim(dual, signoff.id), lambda: tasks.open_task(dual, signoff.id),
                    lambda: tasks.complete(dual, signoff.id, {"decision": "approve", "comment": "自批"})):
        with pytest.raises(SegregationOfDutiesViolation, match="Segregation of duties") as caught:
            attempt()
        assert caught.value.status == 403
    # nothing changed but the record of each refused attempt (a four-eyes near miss)
    assert snapshot(instance.id) == before._replace(audit_rows=before.audit_rows + 3)
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task.refused")).all()
    assert [(e.actor_name, e.instance_id, e.payload["task"]) for e in refused] == [
        ("dual", instance.id, "approval_signoff")] * 3
    inbox = tasks.sign_off_inbox(dual)
    assert inbox.total == 0 and inbox.rows == [] and inbox.hidden_above_authority == 0
    assert signoff.id not in [t.id for t in tasks.my_tasks(dual).rows]
    # someone else's case is in the same user's inbox: only the investigated one is hidden
    other = case_at("approval", people.officer)
    assert [t.instance_id for t in tasks.sign_off_inbox(dual).rows] == [other.id]


def test_an_officer_who_only_completed_a_step_is_also_an_investigator(deployed, people):
    dual = dual_role_user(people.admin)
    instance = cases.start_case(people.officer, "credit_application")
    tasks.complete(dual, open_task(instance.id, "application_intake").id, intake())
    tasks.complete(people.officer, open_task(instance.id, "financial_statements").id,
                   {"statements": statements()})
    tasks.complete(people.officer, open_task(instance.id, "review_proposal").id, review(instance))
    signoff = open_task(instance.id, "approval_signoff")
    with pytest.raises(SegregationOfDutiesViolation):
        tasks.complete(dual, signoff.id, {"decision": "approve", "comment": "同意"})
    assert tasks.sign_off_inbox(dual).total == 0
    assert [t.id for t in tasks.sign_off_inbox(people.approver3).rows] == [signoff.id]


def test_insufficient_authority_is_refused_with_both_levels_and_hidden_in_the_inbox(deployed, people):
    instance = level3_case(people.officer)
    signoff = open_task(instance.id, "approval_signoff")
    assert signoff.required_level == 3
    before = snapshot(instance.id)
    for approver, level in ((people.approver1, 1), (people.approver2, 2)):
        with pytest.raises(InsufficientAuthority) as caught:
            tasks.complete(approver, signoff.id, {"decision": "approve", "comment": "同意"})
        assert caught.value.status == 403
        assert "level 3" in caught.value.message and f"yours is {level}" in caught.value.message
        with pytest.raises(InsufficientAuthority):
            tasks.claim(approver, signoff.id)
        inbox = tasks.sign_off_inbox(approver)
        assert (inbox.total, inbox.hidden_above_authority) == (0, 1)
        assert tasks.my_tasks(approver).total == 0
    assert snapshot(instance.id) == before
    senior = tasks.sign_off_inbox(people.approver3)
    assert ([t.id for t in senior.rows], senior.hidden_above_authority) == ([signoff.id], 0)
    assert [t.id for t in tasks.my_tasks(people.approver3).rows] == [signoff.id]
    tasks.complete(people.approver3, signoff.id, {"decision": "approve", "comment": "同意"})
    assert tasks.sign_off_inbox(people.approver3).total == 0


def test_inbox_is_for_approvers_only(deployed, people):
    with pytest.raises(NotAuthorized, match="approvers"):
        tasks.sign_off_inbox(people.officer)


def test_a_task_claimed_by_another_approver_leaves_the_inbox(deployed, people):
    instance = case_at("approval", people.officer)
    signoff = open_task(instance.id, "approval_signoff")
    tasks.claim(people.approver2, signoff.id)
    assert tasks.sign_off_inbox(people.approver3).total == 0
    assert [t.id for t in tasks.sign_off_inbox(people.approver2).rows] == [signoff.id]
    with pytest.raises(NotAuthorized, match="claimed by approver2"):
        tasks.complete(people.approver3, signoff.id, {"decision": "approve"})


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


@pytest.mark.parametrize(("data", "field", "text"), [
    ({}, "decision", None),
    ({"decision": "return"}, "comment", None),
    ({"decision": "reject"}, "comment", None),
    ({"decision": "maybe", "comment": "x"}, "decision", None),
])
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
    assert set(caught.value.errors) == {"customer_name", "uscc", "industry", "size", "credit_record",
                                        "requested_amount", "requested_term_months", "purpose"}
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
    new_events = db.session.execute(select(AuditEvent.event_type, AuditEvent.payload)
                                    .where(AuditEvent.id > events_before)).all()
    assert [e.event_type for e in new_events] == ["engine.error"]
    assert new_events[0].payload["element"] == "divide_by_zero"
    db.session.refresh(task)
    assert task.state == "ready" and task.completed_at is None


def test_my_tasks_lists_own_claims_then_the_group_queue(deployed, people):
    first = cases.start_case(people.officer, "credit_application")
    second = cases.start_case(people.officer2, "credit_application")
    a, b = open_task(first.id, "application_intake"), open_task(second.id, "application_intake")
    assert [t.id for t in tasks.my_tasks(people.officer).rows] == [a.id, b.id]
    tasks.claim(people.officer2, a.id)
    assert [t.id for t in tasks.my_tasks(people.officer).rows] == [b.id]
    listing = tasks.my_tasks(people.officer2, per_page=1)
    assert listing.total == 2 and len(listing.rows) == 1
    assert tasks.my_tasks(people.designer).total == 0


def test_refusals_outside_a_request_are_domain_errors(app, deployed, people):
    instance = level3_case(people.officer)
    signoff_id = open_task(instance.id, "approval_signoff").id
    with pytest.raises(InsufficientAuthority, match="3"):  # no request, as in a Celery task or a CLI command
        tasks.claim(people.approver1, signoff_id)


def test_of_two_people_claiming_at_once_one_is_refused(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")  # loaded by "us" before the other claim lands
    with db.engine.begin() as other:  # officer2's claim commits first
        other.execute(update(HumanTask).where(HumanTask.id == task.id).values(assignee_id=people.officer2.id))
    with pytest.raises(NotAuthorized, match="claimed by"):
        tasks.claim(people.officer, task.id)
    db.session.expire_all()
    assert db.session.get(HumanTask, task.id).assignee_id == people.officer2.id
    claims = db.session.scalars(select(AuditEvent.actor_name).where(AuditEvent.event_type == "task.claimed")).all()
    assert claims == []  # the refused claim left no trace but the other's (made outside the services here)


def test_a_claimant_who_left_the_group_may_no_longer_work_the_task(deployed, people):
    from app.models import UserGroup

    instance = cases.start_case(people.officer, "credit_application")
    task = open_task(instance.id, "application_intake")
    tasks.claim(people.officer2, task.id)
    db.session.execute(delete(UserGroup).where(UserGroup.user_id == people.officer2.id))
    db.session.commit()
    db.session.expire(people.officer2)
    with pytest.raises(NotAuthorized, match="group"):
        tasks.complete(people.officer2, task.id, intake())
