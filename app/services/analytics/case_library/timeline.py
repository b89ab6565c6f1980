"""A customer's story as the case library tells it (时间线): read from the system's own tables, one ordered query
each — its cases (applications, reviews, escalations, inspections), the ratings and classifications the rules
gave (and the rule that set each), the approvals, the early warnings (each with how many days before the default
it fired), the risk controls applied, the class and grade changes and the inspection visits — merged by time.

Nothing here writes; whoever may read the library may read the timeline of its entries (``rights``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.language import in_language
from app.localtime import local_date
from app.models import (
    DecisionLog,
    EarlyWarning,
    Facility,
    FacilityChange,
    HumanTask,
    Inspection,
    ProcessInstance,
    RatingChange,
)
from app.services.analytics.case_library.causes import action_titles
from app.services.approval.lanes import APPROVAL_LANES
from app.services.cases.case_kinds import kind_of

# The decisions that rated or classified the customer (the rule matched is the one that set it).
RATING_DECISIONS = ("credit_rating", "loan_classification", "classification_grade_cap")
SIGNING_LANES = (*APPROVAL_LANES, "compliance")


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when (UTC, as stored), what kind of fact, its words in the reader's language,
    the case it belongs to (None: none), and for a warning how many days before the default it fired."""

    at: datetime
    kind: str  # case | rating | decision | approval | warning | control | visit
    title: str
    detail: str | None = None
    case_id: int | None = None
    reference: str | None = None
    days_before_default: int | None = None


def days_before(default_on: date | None, at: datetime) -> int | None:
    """Days from ``at`` (its Beijing date) to the default; None without a default or after it."""
    if default_on is None:
        return None
    days = (default_on - local_date(at)).days
    return days if days >= 0 else None


def timeline(customer_id: int, default_on: date | None) -> list[Entry]:
    """The customer's entries, oldest first."""
    locale = str(get_locale() or "zh_CN")
    entries = [
        *_cases(customer_id),
        *_decisions(customer_id),
        *_ratings(customer_id),
        *_approvals(customer_id, locale),
        *_warnings(customer_id, default_on, locale),
        *_controls(customer_id),
        *_visits(customer_id),
    ]
    references = {e.case_id: e.reference for e in entries if e.kind == "case"}
    named = [
        e if e.reference or e.case_id is None else replace(e, reference=references.get(e.case_id))
        for e in entries
    ]
    return sorted(named, key=lambda e: e.at)


def _cases(customer_id: int) -> list[Entry]:
    rows = db.session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.reference,
            ProcessInstance.process_id,
            ProcessInstance.started_at,
            ProcessInstance.status,
            ProcessInstance.outcome,
        )
        .where(ProcessInstance.customer_id == customer_id)
        .order_by(ProcessInstance.started_at)
    )
    return [
        Entry(
            r.started_at,
            "case",
            str(kind_of(r.process_id).title),
            _outcome(r.status, r.outcome),
            r.id,
            r.reference,
        )
        for r in rows
    ]


def _coded(prefix: str, code: str | None) -> str:
    """A stored code in words (``app.web.vocabulary`` declares the codes: class_substandard, severity_high …)."""
    if not code:
        return "—"
    key = prefix + code
    return _(key)


def _outcome(status: str, outcome: str | None) -> str:
    if status != "completed":
        return _("under way")
    return _coded("", outcome or "completed")


def _decisions(customer_id: int) -> list[Entry]:
    rows = db.session.execute(
        select(
            DecisionLog.evaluated_at,
            DecisionLog.decision_id,
            DecisionLog.matched_rules,
            DecisionLog.outputs,
            ProcessInstance.id,
            ProcessInstance.reference,
        )
        .join(ProcessInstance, ProcessInstance.id == DecisionLog.instance_id)
        .where(ProcessInstance.customer_id == customer_id, DecisionLog.decision_id.in_(RATING_DECISIONS))
        .order_by(DecisionLog.evaluated_at)
    )
    return [
        Entry(
            r.evaluated_at,
            "decision",
            _("%(decision)s: %(outputs)s", decision=r.decision_id, outputs=_plain(r.outputs)),
            _("rule %(rules)s", rules=", ".join(map(str, r.matched_rules or [])) or "—"),
            r.id,
            r.reference,
        )
        for r in rows
    ]


def _plain(outputs: Any) -> str:
    if isinstance(outputs, list):
        outputs = outputs[0] if len(outputs) == 1 else {"rows": len(outputs)}
    if isinstance(outputs, dict):
        return ", ".join(f"{k}={v}" for k, v in outputs.items())
    return "—" if outputs is None else str(outputs)


def _ratings(customer_id: int) -> list[Entry]:
    rows = db.session.scalars(
        select(RatingChange).where(RatingChange.customer_id == customer_id).order_by(RatingChange.changed_at)
    )
    return [
        Entry(
            r.changed_at,
            "rating",
            _(
                "Grade %(before)s → %(after)s, class %(class_before)s → %(class_after)s",
                before=r.grade_before or "—",
                after=r.grade_after or "—",
                class_before=_coded("class_", r.class_before),
                class_after=_coded("class_", r.class_after),
            ),
            _("rule %(rules)s", rules=r.rule_id) if r.rule_id else None,
            r.instance_id,
        )
        for r in rows
    ]


def _approvals(customer_id: int, locale: str) -> list[Entry]:
    rows = db.session.execute(
        select(
            HumanTask.completed_at,
            HumanTask.name,
            HumanTask.submitted,
            ProcessInstance.id,
            ProcessInstance.reference,
        )
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(
            ProcessInstance.customer_id == customer_id,
            HumanTask.state == "completed",
            HumanTask.lane.in_(SIGNING_LANES),
        )
        .order_by(HumanTask.completed_at)
    )
    return [
        Entry(
            r.completed_at,
            "approval",
            in_language(r.name, locale),
            _decision_of(r.submitted),
            r.id,
            r.reference,
        )
        for r in rows
        if r.completed_at is not None
    ]


def _decision_of(submitted: dict | None) -> str | None:
    found = submitted or {}
    for key in ("decision", "control_decision", "review_decision", "signoff_decision", "compliance_decision"):
        if found.get(key):
            return _coded("", str(found[key]))
    return None


def _warnings(customer_id: int, default_on: date | None, locale: str) -> list[Entry]:
    rows = db.session.scalars(
        select(EarlyWarning).where(EarlyWarning.customer_id == customer_id).order_by(EarlyWarning.detected_at)
    )
    return [
        Entry(
            w.detected_at,
            "warning",
            f"{w.code} · {in_language(w.name, locale)}",
            f"{_coded('severity_', w.severity)} · {_coded('', w.outcome or 'open')}",
            w.instance_id,
            days_before_default=days_before(default_on, w.detected_at),
        )
        for w in rows
    ]


def _controls(customer_id: int) -> list[Entry]:
    rows = db.session.execute(
        select(FacilityChange.applied_at, FacilityChange.action, FacilityChange.instance_id)
        .join(Facility, Facility.id == FacilityChange.facility_id)
        .where(Facility.customer_id == customer_id)
        .order_by(FacilityChange.applied_at)
    )
    titles = action_titles()
    return [Entry(r.applied_at, "control", titles.get(r.action, r.action), None, r.instance_id) for r in rows]


def _visits(customer_id: int) -> list[Entry]:
    rows = db.session.execute(
        select(
            Inspection.submitted_at, Inspection.visited_on, Inspection.worst_severity, Inspection.instance_id
        )
        .where(Inspection.customer_id == customer_id, Inspection.submitted_at.is_not(None))
        .order_by(Inspection.submitted_at)
    )
    return [
        Entry(
            r.submitted_at,
            "visit",
            _("Inspection visit of %(date)s", date=r.visited_on.isoformat() if r.visited_on else "—"),
            _("worst finding: %(severity)s", severity=_coded("severity_", r.worst_severity))
            if r.worst_severity
            else _("nothing found"),
            r.instance_id,
        )
        for r in rows
    ]
