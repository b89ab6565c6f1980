"""What each step of a ``case_analysis`` case writes on its analysis row (the step reaction
``case_library.after_step``, in the step's transaction), each audited on the customer's trail:

- the start inserts the row (``open``), with the customer's industry and the event that started it; a second
  start of one event is refused by the database and rolled back whole; ``case_analysis.started``;
- the analyst's record (a first one or a revision) is kept on the row awaiting the reviewer (``in_review``), its
  tags split and its linked draft found by name; ``case_analysis.submitted``;
- the reviewer's return sends it back with the comment (``returned``); ``case_analysis.returned``;
- the approval files it in the library (``approved``); ``case_analysis.approved``. No one who wrote the analysis,
  in any revision, returns or approves it (四眼原则): refused, the step rolled back, whatever groups they hold.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import SegregationOfDutiesViolation
from app.extensions import db
from app.models import AuditEvent, CaseAnalysis, DesignDraft, ProcessInstance, User
from app.models.base import utcnow
from app.services.analytics.case_library.start import PROCESS
from app.services.audit import audit
from app.services.cases.reactions import StepTaken
from app.services.shared.rows import insert_returning_id, write

RECORD, REVIEW = "record_analysis", "review_analysis"
MAX_TAGS = 10
_TAG_SPLIT = re.compile(r"[,，;；、]")


def tags_of(text: str | None) -> list[str]:
    """The tags typed as one line (commas, Chinese commas, semicolons or 、 between them), each trimmed, once."""
    found = [t.strip() for t in _TAG_SPLIT.split(text or "")]
    return list(dict.fromkeys(t for t in found if t))[:MAX_TAGS]


def after_step(step: StepTaken) -> None:
    instance = step.instance
    if instance.process_id != PROCESS:
        return
    data, actor = step.result.data, step.actor
    if step.changes.started:
        _insert(instance, data, actor)
    analysis = db.session.scalar(select(CaseAnalysis).where(CaseAnalysis.instance_id == instance.id))
    if analysis is None:
        return
    opened = {task.task_spec for task in step.changes.opened}
    if REVIEW in opened:
        _submitted(analysis, instance, data, actor)
    elif RECORD in opened and not step.changes.started:
        _returned(analysis, instance, data, actor)
    if step.result.completed:
        _approved(analysis, instance, data, actor)


def _insert(instance: ProcessInstance, data: dict[str, Any], actor: User | None) -> None:
    asked = data.get("analysis") or {}
    analysis_id = insert_returning_id(
        CaseAnalysis,
        {
            "customer_id": asked["customer_id"],
            "trigger_kind": asked["trigger_kind"],
            "trigger_ref": asked.get("trigger_ref"),
            "instance_id": instance.id,
            "status": "open",
            "default_on": date.fromisoformat(asked["default_on"]) if asked.get("default_on") else None,
            "industry": asked.get("industry"),
            "root_causes": [],
            "tags": [],
            "started_by_id": actor.id if actor else None,
            "created_at": utcnow(),
        },
    )
    audit.record(
        "case_analysis.started",
        actor,
        instance_id=instance.id,
        customer_id=asked["customer_id"],
        analysis_id=analysis_id,
        trigger_kind=asked["trigger_kind"],
        trigger_ref=asked.get("trigger_ref"),
    )


def _submitted(
    analysis: CaseAnalysis, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    draft_name = (data.get("draft_name") or "").strip() or None
    draft_id = (
        db.session.scalar(select(DesignDraft.id).where(DesignDraft.name == draft_name).limit(1))
        if draft_name
        else None
    )
    write(
        analysis,
        status="in_review",
        title=data.get("title"),
        root_causes=list(data.get("root_causes") or []),
        missed_signals=data.get("missed_signals"),
        lessons=data.get("lessons"),
        recommendation=data.get("recommendation"),
        draft_name=draft_name,
        draft_id=draft_id,
        tags=tags_of(data.get("tags")),
        outcome=data.get("case_outcome"),
        analyst_id=actor.id if actor else analysis.analyst_id,
        submitted_at=utcnow(),
    )
    audit.record(
        "case_analysis.submitted",
        actor,
        instance_id=instance.id,
        customer_id=analysis.customer_id,
        analysis_id=analysis.id,
        root_causes=analysis.root_causes,
        outcome=analysis.outcome,
        draft=draft_name,
    )


def _check_four_eyes(analysis: CaseAnalysis, actor: User | None) -> None:
    """Whoever wrote the analysis, in any of its revisions (the trail's submissions, not only its latest
    analyst), never returns or approves it."""
    if actor is None:
        return
    wrote = actor.id == analysis.analyst_id or db.session.scalar(
        select(AuditEvent.id)
        .where(
            AuditEvent.event_type == "case_analysis.submitted",
            AuditEvent.instance_id == analysis.instance_id,
            AuditEvent.actor_id == actor.id,
        )
        .limit(1)
    )
    if wrote:
        raise SegregationOfDutiesViolation(_("Four eyes: you wrote this analysis, so you may not review it."))


def _returned(
    analysis: CaseAnalysis, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    _check_four_eyes(analysis, actor)
    write(
        analysis,
        status="returned",
        reviewer_id=actor.id if actor else None,
        review_comment=data.get("review_comment"),
    )
    audit.record(
        "case_analysis.returned",
        actor,
        instance_id=instance.id,
        customer_id=analysis.customer_id,
        analysis_id=analysis.id,
        comment=data.get("review_comment"),
    )


def _approved(
    analysis: CaseAnalysis, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    _check_four_eyes(analysis, actor)
    write(
        analysis,
        status="approved",
        reviewer_id=actor.id if actor else None,
        review_comment=data.get("review_comment"),
        approved_at=utcnow(),
    )
    audit.record(
        "case_analysis.approved",
        actor,
        instance_id=instance.id,
        customer_id=analysis.customer_id,
        analysis_id=analysis.id,
    )
