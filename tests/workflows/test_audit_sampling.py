"""Compliance sampling reviews (workflows/audit_sampling.bpmn, rules/audit_sampling.dmn): a seeded,
repeatable draw by risk; each drawn case reviewed; each finding remedied by the case's officer; closed."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app import engine
from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, HumanTask, ProcessInstance
from app.services.audit import sampling
from app.services.cases import tasks
from app.services.design.deployment import deployment
from tests.factories import case_at, case_routed, compliance_sign_off, open_task, review


def today() -> str:
    """Read at each use: a suite that runs past midnight in Beijing decides cases on the new day."""
    return local_today().isoformat()


def decided(people) -> tuple[ProcessInstance, ProcessInstance]:
    """An approved case with an adjusted grade (always drawn) and a plain approved one."""
    adjusted = case_at("review", people.officer)
    tasks.complete(
        people.officer,
        open_task(adjusted.id, "review_proposal").id,
        review(adjusted, grade_override="AA", override_reason="集团担保，上调一级"),
    )
    tasks.complete(
        people.approver3,
        open_task(adjusted.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(adjusted, people.compliance)
    plain = case_routed("single", people.officer2)
    tasks.complete(
        people.approver1,
        open_task(plain.id, "approval_signoff").id,
        {"decision": "approve", "comment": "同意"},
    )
    compliance_sign_off(plain, people.compliance)
    return adjusted, plain


def ready(instance_id: int, spec: str) -> list[HumanTask]:
    return list(
        db.session.scalars(
            select(HumanTask)
            .where(
                HumanTask.instance_id == instance_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
            )
            .order_by(HumanTask.id)
        )
    )


def test_the_draw_takes_every_adjusted_grade_and_is_repeatable_with_its_seed(deployed, people):
    adjusted, _plain = decided(people)
    first = sampling.draw(local_today(), local_today(), seed=7)
    assert first.population == 2 and adjusted.reference in [s["reference"] for s in first.sample]
    assert [s["reference"] for s in sampling.draw(local_today(), local_today(), seed=7).sample] == [
        s["reference"] for s in first.sample
    ]
    reasons = {s["reference"]: s["sample_reason"] for s in first.sample}
    assert reasons[adjusted.reference].startswith("Adjusted grade")


def test_a_finding_is_remedied_by_the_cases_officer_and_the_review_closes(deployed, people):
    adjusted, plain = decided(people)
    review_case = sampling.start(people.compliance, today(), today(), seed="7")
    assert review_case.reference.startswith("AS-")
    drawn = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "sampling.drawn"))
    assert drawn.payload["seed"] == 7 and adjusted.reference in drawn.payload["drawn"]
    reviews = ready(review_case.id, "review_sampled_case")
    assert len(reviews) == len(drawn.payload["drawn"]) and {r.lane for r in reviews} == {"compliance"}
    bundle = deployment.bundle_for(review_case.definition)
    for task in reviews:
        shown = engine.task_data(
            bundle, db.session.get(ProcessInstance, review_case.id).state, task.task_uuid
        )
        if shown["reference"] == adjusted.reference:
            tasks.complete(
                people.compliance,
                task.id,
                {"finding": "major", "finding_description": "评级上调缺少集团担保合同原件。"},
            )
        else:
            tasks.complete(people.compliance, task.id, {"finding": "none"})
    [remedy] = ready(review_case.id, "remedy_finding")
    assert remedy.lane == "officer" and remedy.assignee_id == people.officer.id  # the adjusted case's officer
    with pytest.raises(InvalidInput):
        tasks.complete(people.officer, remedy.id, {})
    tasks.complete(people.officer, remedy.id, {"remediation": "已补充担保合同原件并归档。"})
    [closing] = ready(review_case.id, "close_review")
    tasks.complete(people.compliance, closing.id, {"closure": "reopen", "closure_comment": "原件未盖章"})
    [again] = ready(review_case.id, "remedy_finding")
    tasks.complete(people.officer, again.id, {"remediation": "已补盖公章。"})
    tasks.complete(people.compliance, ready(review_case.id, "close_review")[0].id, {"closure": "closed"})
    db.session.expire_all()
    done = db.session.get(ProcessInstance, review_case.id)
    assert (done.status, done.outcome) == ("completed", "closed")


def test_only_compliance_starts_a_review_and_bad_periods_are_named(deployed, people):
    with pytest.raises(NotAuthorized):
        sampling.start(people.risk, today(), today())
    with pytest.raises(InvalidInput) as refused:
        sampling.start(people.compliance, "yesterday", today())
    assert "period_from" in refused.value.errors
    with pytest.raises(InvalidInput) as empty, force_locale("en"):
        sampling.start(people.compliance, today(), today())
    assert "(0 decided)" in empty.value.errors["period_from"]
