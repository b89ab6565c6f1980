"""What a case is about, typed per kind: the facts its case page shows and its approvers decide on.

A credit application is read through the credit memo's own partials (its data as the memo reads it); a
periodic review, a warning escalation and a sampling review each have facts of their own, read from the
instance's summary (``case_kinds``), its tasks and, for an escalation, its warnings. People, customers and
cases are resolved to names here, so no page prints an id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import select

from app.extensions import db
from app.forms.schema import Field, as_form_schema
from app.models import Attachment, Customer, EarlyWarning, HumanTask, Inspection, ProcessInstance, User
from app.services.approval.lanes import APPROVAL_LANES
from app.services.audit.readable import fields_of
from app.services.cases.case_kinds import (
    AUDIT_SAMPLING,
    COLLATERAL_REVALUATION,
    PERIODIC_REVIEW,
    POST_LOAN_INSPECTION,
    WARNING_ESCALATION,
    CaseKind,
    kind_of,
)
from app.services.monitoring import escalation_reads


@dataclass(frozen=True)
class Signed:
    """An approval given on the case: what was decided, why, by whom and when."""

    decision: str | None
    comment: str | None
    by: User | None
    at: datetime | None
    level: int | None
    task_id: int | None = None  # the approval task (its timeline entry does not repeat what is shown here)
    field: Field | None = None  # the decision's field on the task's own form (its options' words)


@dataclass(frozen=True)
class Facts:
    """What every kind has: its kind, the customer it concerns (if any) and its data's form fields (to show
    a value as its form shows it)."""

    kind: CaseKind
    customer_id: int | None
    customer_name: str | None
    uscc: str | None
    data: dict[str, Any]  # the case data (the credit memo's partials and the statements table read it)
    fields: Mapping[str, Field]


@dataclass(frozen=True)
class CreditFacts(Facts):
    """An application is read through the credit memo's partials, from ``data``."""


@dataclass(frozen=True)
class ReviewFacts(Facts):
    due_on: str | None = None
    previous_grade: str | None = None
    grade: str | None = None
    capped_from: str | None = None  # the grade the review rated before the class capped it
    loan_class: str | None = None
    limit_amount: float | None = None  # the live limits when the review began
    limit_cap: float | None = None  # the policy's cap for the new grade
    new_limit: float | None = None  # the change the risk manager proposed (None: unchanged)
    change_comment: str | None = None
    review_notes: str | None = None
    escalated: bool = False
    approval: Signed | None = None
    next_review_on: str | None = None
    rated: bool = False  # the statements were analysed and the customer re-rated

    @property
    def grade_moved(self) -> bool:
        return self.rated and bool(self.grade and self.previous_grade and self.grade != self.previous_grade)


@dataclass(frozen=True)
class EscalationFacts(Facts):
    warnings: list[EarlyWarning] = field(default_factory=list)  # worst first, each with its rule and figures
    # the customer's other running escalations (a warning raised after this one's investigation is in one)
    others: list[ProcessInstance] = field(default_factory=list)
    to_risk_manager: bool | None = None  # the triage of the group as it stands: a confirmed one goes up
    assessment: str | None = None
    findings: str | None = None
    escalated: bool = False  # not investigated in time
    proposed_action: str | None = None  # what the risk-control table proposed
    action: str | None = None  # what the risk manager decided
    terms: dict[str, Any] = field(default_factory=dict)  # the action's own figures (share, margin, term)
    review_comment: str | None = None
    follow_up_date: str | None = None
    approval: Signed | None = None
    five_category: str | None = None


@dataclass(frozen=True)
class Drawn:
    """One case a sampling review drew, with what compliance found and what the officer did."""

    case_id: int | None
    reference: str
    customer_id: int | None
    customer_name: str | None
    reason: str | None
    officer: str | None  # the officer's name
    finding: str | None = None
    finding_description: str | None = None
    remedies: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SamplingFacts(Facts):
    period_from: str | None = None
    period_to: str | None = None
    seed: int | None = None
    drawn: list[Drawn] = field(default_factory=list)
    closure: str | None = None
    closure_comment: str | None = None


@dataclass(frozen=True)
class InspectionFacts(Facts):
    """A post-loan inspection (贷后检查): its row (status, due date, escalation, next one) and the sign-off."""

    inspection: Inspection | None = None
    approval: Signed | None = None

    @property
    def findings(self) -> list[Mapping[str, Any]]:
        return [f for f in self.data.get("findings") or () if isinstance(f, Mapping)]


@dataclass(frozen=True)
class RevaluationFacts(Facts):
    """A collateral revaluation (押品重估): the item's case data, and the appraisal report it names."""

    report: Attachment | None = None


class _Common(TypedDict):
    """The fields of ``Facts`` every kind's facts are made with."""

    kind: CaseKind
    customer_id: int | None
    customer_name: str | None
    uscc: str | None
    data: dict[str, Any]
    fields: Mapping[str, Field]


ACTION_TERMS = {
    "reduce_limit": "reduce_share",
    "raise_margin": "margin_add_pct",
    "shorten_term": "term_months",
}


def facts_of(instance: ProcessInstance, data: Mapping[str, Any], tasks: list[HumanTask]) -> Facts:
    """The typed facts of ``instance`` from its case data (summary and submissions) and its tasks."""
    kind = kind_of(instance.process_id)
    base = _Common(
        kind=kind,
        customer_id=instance.customer_id,
        customer_name=data.get("customer_name"),
        uscc=data.get("uscc"),
        data=dict(data),
        fields=fields_of(instance.definition.forms or {}),
    )
    if kind is PERIODIC_REVIEW:
        return _review(base, data, tasks, instance.definition.forms or {})
    if kind is WARNING_ESCALATION:
        return _escalation(base, instance, data, tasks)
    if kind is AUDIT_SAMPLING:
        return _sampling(base, data)
    if kind is COLLATERAL_REVALUATION:  # its partial reads the case data (the item, the valuations)
        return RevaluationFacts(**base, report=_report(instance, data.get("report_document_id")))
    if kind is POST_LOAN_INSPECTION:
        return InspectionFacts(
            **base,
            inspection=db.session.scalar(select(Inspection).where(Inspection.instance_id == instance.id)),
            approval=_signed(tasks, "signoff_decision", "signoff_comment", instance.definition.forms or {}),
        )
    if kind.known:
        return CreditFacts(**base)
    return Facts(**base)


def _report(instance: ProcessInstance, document_id: Any) -> Attachment | None:
    """The appraisal report a revaluation names, when it is still the case's or its customer's."""
    if not isinstance(document_id, int) or isinstance(document_id, bool):
        return None
    report = db.session.get(Attachment, document_id)
    if report is None or report.deleted_at is not None:
        return None
    return report if instance.id == report.instance_id or instance.customer_id == report.customer_id else None


def _signed(
    tasks: list[HumanTask], decision_key: str, comment_key: str, forms: Mapping[str, dict]
) -> Signed | None:
    """The last approval given on the case (an approver's task completed), its decision read through the
    form it was given on."""
    done = [t for t in tasks if t.lane in APPROVAL_LANES and t.state == "completed"]
    if not done:
        return None
    last = max(done, key=lambda t: (t.completed_at, t.id))
    s = last.submitted or {}
    form = forms.get(last.form or "")
    return Signed(
        s.get(decision_key),
        s.get(comment_key),
        last.completed_by,
        last.completed_at,
        last.required_level,
        last.id,
        as_form_schema(form).field(decision_key) if form else None,
    )


def _review(
    base: _Common, data: Mapping[str, Any], tasks: list[HumanTask], forms: Mapping[str, dict]
) -> ReviewFacts:
    return ReviewFacts(
        **base,
        due_on=data.get("due_on"),
        previous_grade=data.get("previous_grade"),
        grade=data.get("grade"),
        capped_from=data.get("capped_from"),
        loan_class=data.get("loan_class"),
        limit_amount=data.get("limit_amount"),
        limit_cap=data.get("limit_cap"),
        new_limit=data.get("new_limit"),
        change_comment=data.get("change_comment"),
        review_notes=data.get("review_notes"),
        escalated=bool(data.get("review_escalated")),
        approval=_signed(tasks, "review_decision", "review_comment", forms),
        next_review_on=data.get("next_review_on"),
        rated=bool(data.get("analysis")),
    )


def _escalation(
    base: _Common, instance: ProcessInstance, data: Mapping[str, Any], tasks: list[HumanTask]
) -> EscalationFacts:
    warnings = escalation_reads.held_by(instance.id)
    action = data.get("action")
    terms = {
        name: data.get(name)
        for name in (ACTION_TERMS.get(action or ""), "expected_loss_pct")
        if name and data.get(name) is not None
    }
    return EscalationFacts(
        **base,
        warnings=warnings,
        others=escalation_reads.others_of(instance),
        to_risk_manager=data.get("to_risk_manager"),
        assessment=data.get("assessment"),
        findings=data.get("findings"),
        escalated=bool(data.get("escalated")),
        proposed_action=data.get("proposed_action"),
        action=action,
        terms=terms,
        review_comment=data.get("review_comment"),
        follow_up_date=data.get("follow_up_date"),
        approval=_signed(tasks, "control_decision", "control_comment", instance.definition.forms or {}),
        five_category=data.get("five_category"),
    )


def _sampling(base: _Common, data: Mapping[str, Any]) -> SamplingFacts:
    sample = [s for s in data.get("sample") or () if isinstance(s, Mapping)]
    case_ids = {s.get("case_id") for s in sample if isinstance(s.get("case_id"), int)}
    # Each map is looked up by a sample's values, a missing one (None) finding none.
    customers: dict[int | None, int | None] = (
        dict(
            db.session.execute(
                select(ProcessInstance.id, ProcessInstance.customer_id).where(
                    ProcessInstance.id.in_(case_ids)
                )
            ).all()
        )
        if case_ids
        else {}
    )
    names: dict[int | None, str] = (
        dict(
            db.session.execute(
                select(Customer.id, Customer.name).where(Customer.id.in_(set(customers.values()) - {None}))
            ).all()
        )
        if customers
        else {}
    )
    usernames = {s.get("officer") for s in sample if s.get("officer")}
    officers: dict[str | None, str] = (
        dict(
            db.session.execute(
                select(User.username, User.display_name).where(User.username.in_(usernames))
            ).all()
        )
        if usernames
        else {}
    )
    found = {
        (r.get("sampled") or {}).get("reference"): r
        for r in data.get("reviews") or ()
        if isinstance(r, Mapping)
    }
    remedies: dict[str | None, list[str]] = {}
    for fixed in data.get("fixes") or ():
        if isinstance(fixed, Mapping) and fixed.get("remediation"):
            remedies.setdefault((fixed.get("fix") or {}).get("reference"), []).append(fixed["remediation"])
    drawn = []
    for s in sample:
        review = found.get(s.get("reference")) or {}
        customer_id = customers.get(s.get("case_id"))
        drawn.append(
            Drawn(
                s.get("case_id") if s.get("case_id") in customers else None,
                s.get("reference") or "—",
                customer_id,
                names.get(customer_id) or s.get("customer_name"),
                s.get("sample_reason"),
                officers.get(s.get("officer"), s.get("officer")),
                review.get("finding"),
                review.get("finding_description"),
                remedies.get(s.get("reference"), []),
            )
        )
    return SamplingFacts(
        **base,
        period_from=data.get("period_from"),
        period_to=data.get("period_to"),
        seed=data.get("seed"),
        drawn=drawn,
        closure=data.get("closure"),
        closure_comment=data.get("closure_comment"),
    )
