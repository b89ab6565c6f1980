"""Four-eyes on policy changes: a designer requests a deployment (checked, decision tests included, the
files kept as they were); a second designer approves and exactly those files are deployed; the requester
never approves their own; a request that fails its checks is refused naming each problem."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, DeploymentRequest, ProcessDefinition
from app.services.admin import users
from tests.factories import PASSWORD
from tests.services.test_deployment import everything_needs_level_3
from tests.web.test_designer_pages import break_a_case
from tests.web.test_pages import text_of


def test_a_second_designer_deploys_exactly_what_was_requested(as_user, people, rules_copy):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    everything_needs_level_3(rules_copy)  # a policy change, with its decision tests updated
    first = as_user("designer")
    assert first.post("/designer/deployments", data={"note": "审批权限上收至首席信贷官"}).status_code == 302
    row = db.session.scalar(select(DeploymentRequest))
    assert row.status == "pending" and "approval_authority.dmn" in row.files["rules"]
    assert first.post(f"/designer/deployments/{row.id}/approve").status_code == 403  # not their own
    second = as_user("designer2")
    assert second.post(f"/designer/deployments/{row.id}/approve").status_code == 302
    db.session.expire_all()
    row = db.session.get(DeploymentRequest, row.id)
    assert row.status == "deployed" and ["credit_application", 2, True] in row.outcome
    v2 = db.session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.process_id == "credit_application", ProcessDefinition.version == 2
        )
    )
    assert v2.deployed_by_id == people.designer.id and v2.note == "审批权限上收至首席信贷官"
    assert "&lt;= 1000" in v2.dmn_files["approval_authority.dmn"]
    approved = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "deployment.approved"))
    assert approved.actor_name == "designer2" and approved.payload["requested_by"] == "designer"
    assert second.post(f"/designer/deployments/{row.id}/approve").status_code == 409  # once only


def test_a_request_whose_files_changed_since_is_refused_at_approval(as_user, people, rules_copy):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    as_user("designer").post("/designer/deployments", data={"note": "调整审批权限"})
    row = db.session.scalar(select(DeploymentRequest))
    break_a_case(rules_copy)  # the folder changes after the request
    refused = as_user("designer2").post(f"/designer/deployments/{row.id}/approve")
    assert refused.status_code == 409 and "approval_authority.tests.json" in text_of(refused)
    db.session.expire_all()
    assert db.session.get(DeploymentRequest, row.id).status == "pending"
    assert db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.version == 2)) is None


def test_a_request_that_fails_its_checks_is_refused_naming_each_problem(as_user, people, rules_copy):
    break_a_case(rules_copy)
    response = as_user("designer").post("/designer/deployments", data={"note": "调整审批权限"})
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="deploy-problems"' in page and "approval_authority.tests.json" in page
    assert db.session.scalar(select(DeploymentRequest)) is None


def test_a_rejection_needs_a_reason_and_only_designers_take_part(as_user, people):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    as_user("designer").post("/designer/deployments", data={"note": "新增预警规则"})
    row = db.session.scalar(select(DeploymentRequest))
    second = as_user("designer2")
    assert second.post(f"/designer/deployments/{row.id}/reject", data={"comment": ""}).status_code == 422
    assert (
        as_user("officer").post(f"/designer/deployments/{row.id}/reject", data={"comment": "no"}).status_code
        == 403
    )
    assert (
        second.post(
            f"/designer/deployments/{row.id}/reject", data={"comment": "规则未经风险部会签"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(DeploymentRequest, row.id).status == "rejected"
    assert as_user("officer").post("/designer/deployments", data={"note": "x" * 10}).status_code == 403
