"""Who may act on a human task: the lane's group, the segregation of duties (whoever worked a case never approves
it) and the approver's authority level, in the sign-off inbox too; refusals outside a request."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import InsufficientAuthority, NotAuthorized, SegregationOfDutiesViolation
from app.extensions import db
from app.models import AuditEvent, ProcessInstance, UserGroup
from app.services.admin import users
from app.services.approval import qualifications
from app.services.cases import cases, tasks
from tests.factories import PASSWORD, case_at, intake, open_task, review, snapshot, statements, trained


@pytest.fixture(autouse=True)
def request_context(request):
    """Refusal messages are translated for the request's language (English here), but for the test of refusals
    outside a request."""
    if request.node.name != "test_refusals_outside_a_request_are_domain_errors":
        request.getfixturevalue("english_request")


def level3_case(officer) -> ProcessInstance:
    """A case at sign-off that needs the chief credit officer (> CNY 50 million)."""
    instance = case_at("review", officer)
    tasks.complete(
        officer, open_task(instance.id, "review_proposal").id, review(instance, proposed_limit=60_000_000)
    )
    return instance


def dual_role_user(admin):
    """An officer an admin also put in the approver group, with the highest authority and a qualification."""
    user, _ = users.create_user("dual", "officer", PASSWORD, actor=admin)
    db.session.add(UserGroup(user_id=user.id, group_code="approver"))
    user.authority_level = 3
    db.session.commit()
    qualifications.record(admin, "dual", "CQ-2026-0500", "2099-12-31")
    trained(user)
    db.session.refresh(user)
    assert user.group_codes == {"officer", "approver"}
    return user


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
    for attempt in (
        lambda: tasks.claim(dual, signoff.id),
        lambda: tasks.open_task(dual, signoff.id),
        lambda: tasks.complete(dual, signoff.id, {"decision": "approve", "comment": "自批"}),
    ):
        with pytest.raises(SegregationOfDutiesViolation, match="Segregation of duties") as caught:
            attempt()
        assert caught.value.status == 403
    # nothing changed but the record of each refused attempt (a four-eyes near miss)
    assert snapshot(instance.id) == before._replace(audit_rows=before.audit_rows + 3)
    refused = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task.refused")).all()
    assert [(e.actor_name, e.instance_id, e.payload["task"]) for e in refused] == [
        ("dual", instance.id, "approval_signoff")
    ] * 3
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
    tasks.complete(
        people.officer, open_task(instance.id, "financial_statements").id, {"statements": statements()}
    )
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


def test_refusals_outside_a_request_are_domain_errors(app, deployed, people):
    instance = level3_case(people.officer)
    signoff_id = open_task(instance.id, "approval_signoff").id
    with pytest.raises(InsufficientAuthority, match="3"):  # no request, as in a Celery task or a CLI command
        tasks.claim(people.approver1, signoff_id)
