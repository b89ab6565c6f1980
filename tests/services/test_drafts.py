"""Designers' drafts: saved as they work, never overwriting someone else's save, checked like a deployment
with each problem on its element, deployed through the four-eyes request and then written back."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import AuditEvent, DesignDraft, ProcessDefinition
from app.services.admin import users
from app.services.design.deployment import deployment_requests
from app.services.design.deployment.deployment import DeploymentRefused
from app.services.design.workspace import drafts, workspace
from tests.factories import PASSWORD

BPMN = "credit_application.bpmn"


def _edited(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


def test_a_draft_is_saved_by_revision_and_a_stale_save_is_refused_naming_who_saved(people, workspace_copy):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    second = users.get_by_username("designer2")
    original = drafts.file_text("workflows", BPMN)
    first_text = _edited(
        original, "Capture application / 录入授信申请", "Capture application (v2) / 录入授信申请"
    )
    draft = drafts.save(people.designer, "workflows", BPMN, first_text, revision=0)
    assert draft.revision == 1 and drafts.working_text("workflows", BPMN) == first_text
    assert drafts.file_text("workflows", BPMN) == original  # the file itself is untouched until deployed

    # the second designer opened the file before the first save: their save names revision 0
    with pytest.raises(Conflict) as refused:
        drafts.save(second, "workflows", BPMN, original + "<!-- mine -->", revision=0)
    assert people.designer.display_name in refused.value.message
    assert drafts.working_text("workflows", BPMN) == first_text  # nothing overwritten

    again = drafts.save(second, "workflows", BPMN, first_text + "\n", revision=1)  # after reloading
    assert (
        again.revision == 2 and again.updated_by_id == second.id and again.created_by_id == people.designer.id
    )
    saved = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "draft.saved")).all()
    assert [(e.actor_name, e.payload["revision"]) for e in saved] == [("designer", 1), ("designer2", 2)]

    with pytest.raises(Conflict):
        drafts.discard(people.designer, "workflows", BPMN, revision=1)
    drafts.discard(people.designer, "workflows", BPMN, revision=2)
    assert drafts.draft_of("workflows", BPMN) is None and drafts.working_text("workflows", BPMN) == original


def test_only_designers_save_and_only_known_kinds_and_names(people, workspace_copy):
    with pytest.raises(NotAuthorized):
        drafts.save(people.officer, "rules", "review_frequency.dmn", "<x/>", revision=0)
    with pytest.raises(NotFound):
        drafts.save(people.designer, "rules", "../config.py", "x", revision=0)
    with pytest.raises(NotFound):
        drafts.save(people.designer, "static", "app.css", "x", revision=0)
    with pytest.raises(InvalidInput) as empty:
        drafts.save(people.designer, "rules", "review_frequency.dmn", "   ", revision=0)
    assert "content" in empty.value.errors
    assert db.session.scalar(select(DesignDraft)) is None


def test_the_check_names_each_problem_with_its_element(people, workspace_copy):
    text = drafts.file_text("workflows", BPMN)
    broken = _edited(
        text,
        "<spiffworkflow:calledDecisionId>credit_rating</spiffworkflow:calledDecisionId>",
        "<spiffworkflow:calledDecisionId>no_such_table</spiffworkflow:calledDecisionId>",
    )
    broken = _edited(broken, 'value="review_proposal.json"', 'value="missing_form.json"')
    drafts.save(people.designer, "workflows", BPMN, broken, revision=0)
    check = workspace.check("workflows", BPMN)
    mine = {(p.element_id, p.message) for p in check.problems if p.filename == BPMN}
    assert any(element == "rate_customer" and "no_such_table" in message for element, message in mine)
    assert any(element == "review_proposal" and "missing_form.json" in message for element, message in mine)
    assert check.problems[0].filename == BPMN  # this file's problems first


def test_a_draft_the_modeler_cannot_draw_is_refused_on_save_naming_the_id_both_elements_and_lines(
    people, workspace_copy
):
    """The message and the start event of periodic_review.bpmn once shared an id: bpmn-js dropped the start
    event while the checks said "no problems"."""
    text = drafts.file_text("workflows", "periodic_review.bpmn")
    broken = _edited(text, '<bpmn:message id="Message_review_due"', '<bpmn:message id="review_due"')
    broken = _edited(broken, 'messageRef="Message_review_due"', 'messageRef="review_due"')
    drafts.save(people.designer, "workflows", "periodic_review.bpmn", broken, revision=0)
    problems = [
        p
        for p in workspace.check("workflows", "periodic_review.bpmn").problems
        if p.filename == "periodic_review.bpmn"
    ]
    lines = broken.splitlines()
    message_line = next(n for n, line in enumerate(lines, 1) if '<bpmn:message id="review_due"' in line)
    start_line = next(n for n, line in enumerate(lines, 1) if '<bpmn:startEvent id="review_due"' in line)
    assert [(p.element_id, p.line) for p in problems] == [("review_due", start_line)]
    assert f"<bpmn:message> (line {message_line})" in problems[0].message
    assert f"<bpmn:startEvent> (line {start_line})" in problems[0].message


def test_a_dmn_draft_runs_its_decision_tests_on_save(people, workspace_copy):
    text = drafts.file_text("rules", "review_frequency.dmn")
    drafts.save(people.designer, "rules", "review_frequency.dmn", text, revision=0)
    passing = workspace.check("rules", "review_frequency.dmn")
    assert passing.tests and all(t.ok for t in passing.tests)
    changed = text.replace("<text>12</text>", "<text>18</text>", 1)
    assert changed != text
    drafts.save(people.designer, "rules", "review_frequency.dmn", changed, revision=1)
    failing = workspace.check("rules", "review_frequency.dmn")
    assert any(not t.ok for t in failing.tests)
    assert any(p.filename == "review_frequency.tests.json" for p in failing.problems)


def test_drafts_are_deployed_through_four_eyes_then_written_back_and_closed(people, workspace_copy, deployed):
    users.create_user("designer2", "designer", PASSWORD, actor=people.admin)
    second = users.get_by_username("designer2")
    text = drafts.file_text("workflows", BPMN)
    renamed = _edited(text, "Capture application / 录入授信申请", "Capture the application / 录入授信申请")
    drafts.save(people.designer, "workflows", BPMN, renamed, revision=0)
    row = deployment_requests.request(people.designer, "改任务名称")
    assert row.files["workflows"][BPMN] == renamed
    drafts.save(people.designer, "workflows", BPMN, renamed + "\n", revision=1)  # goes on working meanwhile
    deployment_requests.approve(second, row.id)
    latest = db.session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_id == "credit_application")
        .order_by(ProcessDefinition.version.desc())
    )
    assert latest.version == 2 and "Capture the application" in latest.bpmn_xml and latest.bpmn_xml == renamed
    assert (workspace_copy / "workflows" / BPMN).read_text(encoding="utf-8") == renamed  # written back
    later = drafts.draft_of("workflows", BPMN)  # the later draft stays, rebased on the deployed file
    assert later is not None and later.content == renamed + "\n" and not drafts.is_stale(later)


def test_a_deployment_request_refuses_a_stale_draft_and_a_broken_one(people, workspace_copy, deployed):
    text = drafts.file_text("rules", "review_frequency.dmn")
    drafts.save(
        people.designer,
        "rules",
        "review_frequency.dmn",
        text.replace("<text>12</text>", "<text>18</text>", 1),
        revision=0,
    )
    with pytest.raises(DeploymentRefused) as refused:
        deployment_requests.request(people.designer, "复审频率调整")
    assert any(p.filename == "review_frequency.tests.json" for p in refused.value.problems)
    (workspace_copy / "rules" / "review_frequency.dmn").write_text(
        text + "\n", encoding="utf-8"
    )  # changed under it
    with pytest.raises(Conflict) as stale:
        deployment_requests.request(people.designer, "复审频率调整")
    assert "rules/review_frequency.dmn" in stale.value.message


def test_a_bpmn_draft_runs_its_process_tests_on_save(people, workspace_copy):
    text = drafts.file_text("workflows", BPMN)
    assert all(t.ok for t in workspace.check("workflows", BPMN).tests)
    # the reject end renamed: the path that ends there no longer does
    drafts.save(
        people.designer,
        "workflows",
        BPMN,
        text.replace('id="end_rejected"', 'id="end_refused"')
        .replace('"end_rejected"', '"end_refused"')
        .replace(">end_rejected<", ">end_refused<"),
        revision=0,
    )
    check = workspace.check("workflows", BPMN)
    assert any(not t.ok for t in check.tests)
    assert any(p.filename == "credit_application.tests.json" for p in check.problems)
