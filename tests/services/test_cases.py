"""Cases through the services: who may open and read them, what opening one writes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance
from app.services.cases import cases, tasks
from tests.factories import case_at, intake, open_task


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_opening_a_case_writes_instance_first_task_and_audit(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    assert re.fullmatch(r"CA-\d{4}-\d{6}", instance.reference) and instance.reference.endswith(
        f"{instance.id:06d}"
    )
    assert (instance.status, instance.definition.version, instance.started_by_id) == (
        "running",
        1,
        people.officer.id,
    )
    assert instance.current_step == "Capture application / 录入授信申请"
    task = open_task(instance.id, "application_intake")
    assert (task.lane, task.assignee_id, task.form) == ("officer", None, "application_intake.json")
    events = db.session.execute(
        select(AuditEvent.event_type, AuditEvent.actor_name)
        .where(AuditEvent.instance_id == instance.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [tuple(e) for e in events] == [
        ("instance.started", "officer"),
        ("engine.started", "officer"),
        ("task.ready", "officer"),
    ]


def test_initial_data_prefills_the_first_form(deployed, people):
    instance = cases.start_case(people.admin, "credit_application", {"customer_name": "预填公司"})
    view = tasks.open_task(people.officer, open_task(instance.id, "application_intake").id)
    assert view.data["customer_name"] == "预填公司"


@pytest.mark.parametrize("role", ["approver1", "risk", "compliance", "designer"])
def test_only_officers_and_admins_open_cases(deployed, people, role):
    with pytest.raises(NotAuthorized) as caught:
        cases.start_case(getattr(people, role), "credit_application")
    assert caught.value.status == 403 and "officer" in caught.value.message
    assert count(ProcessInstance) == 0


def test_unknown_fields_are_refused_by_name_and_nothing_is_written(deployed, people):
    events = count(AuditEvent)
    with pytest.raises(InvalidInput) as caught:
        cases.start_case(
            people.officer, "credit_application", {"customer_name": "甲", "is_admin": True, "__class__": "x"}
        )
    assert caught.value.status == 422
    assert set(caught.value.errors) == {"is_admin", "__class__"}
    assert (count(ProcessInstance), count(HumanTask), count(AuditEvent)) == (0, 0, events)


def test_read_only_fields_are_unknown_at_start(deployed, people):
    with pytest.raises(InvalidInput) as caught:
        cases.start_case(people.officer, "credit_application", {"grade": "AAA"})
    assert list(caught.value.errors) == ["grade"]


def test_a_process_not_deployed_is_not_found(app, people):
    with pytest.raises(NotFound, match="not deployed"):
        cases.start_case(people.officer, "credit_application")


def test_designer_may_not_read_cases(deployed, people):
    instance = cases.start_case(people.officer, "credit_application")
    for attempt in (
        lambda: cases.get_case(people.designer, instance.id),
        lambda: cases.case_view(people.designer, instance.id),
        lambda: cases.history(people.designer, instance.id),
        lambda: cases.list_cases(people.designer),
    ):
        with pytest.raises(NotAuthorized) as caught:
            attempt()
        assert caught.value.status == 403


def test_unknown_case_is_not_found(deployed, people):
    with pytest.raises(NotFound):
        cases.get_case(people.compliance, 999)


def test_case_view_shows_tasks_decisions_history_and_data(deployed, people):
    instance = case_at("review", people.officer)
    view = cases.case_view(people.compliance, instance.id)
    assert [t.task_spec for t in view.tasks] == [
        "application_intake",
        "financial_statements",
        "review_proposal",
    ]
    assert [d.decision_id for d in view.decisions] == [
        "customer_segment",
        "credit_rating",
        "classification_grade_cap",
        "limit_proposal",
        "large_exposure",
    ]
    assert view.events[0].event_type == "instance.started"
    assert all(e.instance_id == instance.id for e in view.events)
    assert (
        view.data["customer_name"] == intake()["customer_name"]
        and view.data["grade"] == instance.summary["grade"]
    )
    assert view.data["purpose"] == intake()["purpose"]  # submitted, not in the summary


def test_list_cases_filters_by_status_and_searches_name_and_reference(deployed, people):
    first = case_at("statements", people.officer, customer_name="星河电子有限公司")
    second = case_at("statements", people.officer, customer_name="远东物流有限公司")
    listing = cases.list_cases(people.approver1)
    assert [r.id for r in listing.rows] == [second.id, first.id] and not listing.has_next
    assert [r.id for r in cases.list_cases(people.risk, search="星河").rows] == [first.id]
    assert [r.id for r in cases.list_cases(people.risk, search=second.reference).rows] == [second.id]
    assert cases.list_cases(people.risk, status="completed").rows == []
    first_page = cases.list_cases(people.risk, page=1, per_page=1)
    assert [r.id for r in first_page.rows] == [second.id] and first_page.has_next
    last_page = cases.list_cases(people.risk, page=2, per_page=1)
    assert [r.id for r in last_page.rows] == [first.id] and not last_page.has_next


def test_a_case_that_fails_while_starting_leaves_an_error_that_belongs_to_no_later_case(app, people):
    from app.errors import ProcessFailed
    from app.services.design.deployment import deployment
    from tests.factories import BPMN_FIXTURES, deploy

    deployment.deploy_files([BPMN_FIXTURES / "start_fail.bpmn"])
    with pytest.raises(ProcessFailed, match="mark"):
        cases.start_case(people.officer, "start_fail")
    assert db.session.scalar(select(func.count()).select_from(ProcessInstance)) == 0
    error = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "engine.error"))
    assert error.instance_id is None and error.payload["process_id"] == "start_fail"

    deploy()
    later = cases.start_case(people.officer, "credit_application")
    first = db.session.scalar(
        select(AuditEvent.event_type)
        .where(AuditEvent.instance_id == later.id)
        .order_by(AuditEvent.id)
        .limit(1)
    )
    assert first == "instance.started"
