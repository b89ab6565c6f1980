"""Which changes of a newer version a running case may move across: a task renamed or a boundary event added where
it waits keeps it where it is; a changed decision table moves a case at sign-off keeping its due time, and a case
inside the called compliance process moves and completes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import engine
from app.engine import migration as spec_migration
from app.extensions import db
from app.models import ProcessInstance, Timer
from app.services.cases import tasks
from app.services.design.deployment import deployment
from app.services.design.migration import instance_migration as migration
from app.services.design.migration import migration_preview
from tests.factories import case_at, compliance_sign_off, intake, open_task
from tests.services.migrating import deploy_without_review, fresh
from tests.services.test_deployment import everything_needs_level_3

pytestmark = pytest.mark.usefixtures("english_request")


def listing(case: ProcessInstance) -> engine.StepResult:
    """What the engine holds for the case now (its timers' due times)."""
    case = fresh(case.id)
    return spec_migration.listing(deployment.bundle_for(case.definition), case.state)


def test_a_case_waiting_at_a_task_the_new_version_renames_cannot_move(
    app, tmp_path, monkeypatch, people, deployed
):
    waiting, before = case_at("statements", people.officer), case_at("intake", people.officer)
    old_name = 'name="Enter financial statements / 录入财务报表"'

    def renamed(xml: str) -> str:
        assert xml.count(old_name) == 1
        return xml.replace(old_name, 'name="Enter two years of statements / 录入近两年财务报表"')

    deploy_without_review(app, tmp_path, monkeypatch, people.designer, change=renamed)
    preview = migration_preview.preview(people.designer, "credit_application", [waiting.id, before.id])
    [top] = preview.changes[1]
    assert [(c.element.id, c.attributes) for c in top.changed] == [("financial_statements", ("name",))]
    refused, movable = preview.cases
    assert refused.refusals == [
        "It waits at Enter financial statements (financial_statements), whose name "
        "version 2 changes: a step cannot change under a waiting case."
    ]
    assert movable.can_migrate
    assert (
        "Ahead of it, version 2 adds or changes: Enter two years of statements (financial_statements)."
        in movable.notes
    )


REMINDER = """<bpmn:boundaryEvent id="statements_reminder" name="Reminder / 提醒" attachedToRef="financial_statements"
        cancelActivity="false">
      <bpmn:outgoing>flow_reminder_to_end</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P10D"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="reminder_end" name="Reminded / 已提醒"><bpmn:incoming>flow_reminder_to_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_reminder_to_end" sourceRef="statements_reminder" targetRef="reminder_end" />
    """
REMINDER_DI = """<bpmndi:BPMNShape id="statements_reminder_di" bpmnElement="statements_reminder">
        <dc:Bounds x="582" y="172" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="reminder_end_di" bpmnElement="reminder_end">
        <dc:Bounds x="582" y="252" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_reminder_to_end_di" bpmnElement="flow_reminder_to_end">
        <di:waypoint x="600" y="208" />
        <di:waypoint x="600" y="252" />
      </bpmndi:BPMNEdge>
    """


def with_reminder(xml: str) -> str:
    """Version 2 reminds the officer after ten days at the statements (a non-interrupting boundary timer),
    drawn on the diagram."""
    anchor, plane_end = '<bpmn:scriptTask id="analyse_financials"', "</bpmndi:BPMNPlane>"
    assert xml.count(anchor) == 1 and xml.count(plane_end) == 1
    return xml.replace(anchor, REMINDER + anchor).replace(plane_end, REMINDER_DI + plane_end)


def test_a_case_already_waiting_where_a_boundary_event_is_added_cannot_move(
    app, tmp_path, monkeypatch, people, deployed
):
    waiting, before = case_at("statements", people.officer), case_at("intake", people.officer)
    deploy_without_review(app, tmp_path, monkeypatch, people.designer, change=with_reminder)
    outcomes = migration.migrate(people.designer, "credit_application", [waiting.id, before.id])
    assert outcomes[0].refusals == [
        "It waits at Enter financial statements (financial_statements), which version 2 reaches another way "
        "(a new step or boundary event before it): the case cannot have come that way."
    ]
    assert outcomes[1].migration is not None
    # the case that moved meets the reminder when it reaches the statements
    tasks.complete(people.officer, open_task(before.id, "application_intake").id, intake())
    assert [t.task_spec for t in db.session.scalars(select(Timer).where(Timer.instance_id == before.id))] == [
        "statements_reminder"
    ]
    assert not db.session.scalars(select(Timer).where(Timer.instance_id == waiting.id)).all()


def test_a_policy_change_moves_a_case_at_sign_off_keeping_its_due_time(deployed, people, rules_copy):
    case = case_at("approval", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    due, timers = (
        signoff.due_at,
        [
            (t.task_uuid, t.due_at)
            for t in db.session.scalars(
                select(Timer).where(Timer.instance_id == case.id, Timer.status == "waiting")
            )
        ],
    )
    assert due is not None and timers
    in_engine = [(t.uuid, t.due_at) for t in listing(case).timers]
    everything_needs_level_3(rules_copy)
    deployment.deploy_files(actor=people.designer, note="审批权限上收")
    [preview] = migration_preview.preview(people.designer, "credit_application", [case.id]).cases
    assert preview.can_migrate
    assert any("approval_authority.dmn" in note for note in preview.notes)
    [outcome] = migration.migrate(people.designer, "credit_application", [case.id])
    assert outcome.migration is not None
    db.session.expire_all()
    assert (
        open_task(case.id, "approval_signoff").id == signoff.id
        and open_task(case.id, "approval_signoff").due_at == due
    )
    assert [
        (t.task_uuid, t.due_at)
        for t in db.session.scalars(
            select(Timer).where(Timer.instance_id == case.id, Timer.status == "waiting")
        )
    ] == timers
    assert (
        fresh(case.id).definition.version == 2
        and [(t.uuid, t.due_at) for t in listing(case).timers] == in_engine
    )
    approver = {1: people.approver1, 2: people.approver2, 3: people.approver3}[case.summary["approval_level"]]
    tasks.complete(approver, signoff.id, {"decision": "approve", "comment": "同意"})
    assert open_task(case.id, "compliance_checklist")


def test_a_case_inside_the_called_compliance_process_moves_and_completes(deployed, people, rules_copy):
    case = case_at("approval", people.officer)
    approver = {1: people.approver1, 2: people.approver2, 3: people.approver3}[case.summary["approval_level"]]
    tasks.complete(
        approver, open_task(case.id, "approval_signoff").id, {"decision": "approve", "comment": "同意"}
    )
    checklist = open_task(case.id, "compliance_checklist")  # inside compliance_signoff, the process it calls
    everything_needs_level_3(rules_copy)
    deployment.deploy_files(actor=people.designer, note="审批权限上收")
    [preview] = migration_preview.preview(people.designer, "credit_application", [case.id]).cases
    assert preview.can_migrate
    assert any("Compliance sign-off (compliance_review)" in note for note in preview.notes)
    assert any("Compliance checklist (compliance_checklist)" in note for note in preview.notes)
    [outcome] = migration.migrate(people.designer, "credit_application", [case.id])
    assert outcome.migration is not None and fresh(case.id).definition.version == 2
    assert open_task(case.id, "compliance_checklist").id == checklist.id
    compliance_sign_off(case, people.compliance)
    assert (fresh(case.id).status, fresh(case.id).outcome) == ("completed", "approved")
