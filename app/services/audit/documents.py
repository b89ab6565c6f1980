"""Credit memo (授信调查报告) and approval certificate (审批意见书) as PDF, kept with the case.

A document is rendered from the case as it stands (its projections: no workflow is loaded) and
stored with the case version it shows. Asking again for the same version serves the stored file;
once the case moves on, a new rendering is stored beside the old one, so the version someone
signed is kept exactly as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from weasyprint import HTML

from app.documents.chart import trend_svg
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.forms.schema import Field, as_form_schema
from app.language import title_in
from app.models import CaseDocument, HumanTask, ProcessInstance, User
from app.risk.ratios import RATIO_KINDS, RATIO_TITLES
from app.services.approval.exposure import LIMIT_FIELD, Exposure, exposure_of
from app.services.audit import audit
from app.services.audit.decision_words import Reading
from app.services.cases.cases import CaseView, case_view, view_of
from app.services.shared.unit_of_work import unit_of_work

KINDS = {
    "credit_memo": "documents/credit_memo.html",
    "approval_certificate": "documents/approval_certificate.html",
}
LANGUAGES = ("zh_CN", "en")
CHART_RATIOS = ("debt_to_asset", "current_ratio", "quick_ratio", "roa")


def _check(kind: str, language: str) -> None:
    errors = {}
    if kind not in KINDS:
        errors["kind"] = _("Unknown document %(kind)s; one of %(kinds)s.", kind=kind, kinds=", ".join(KINDS))
    if language not in LANGUAGES:
        errors["language"] = _(
            "Unknown language %(language)s; one of %(languages)s.",
            language=language,
            languages=", ".join(LANGUAGES),
        )
    if errors:
        raise InvalidInput(_("This document cannot be made."), errors)


def document(user: User, instance_id: int, kind: str, language: str = "zh_CN") -> CaseDocument:
    """The document for the case as it stands: the stored one if the case has not moved since, else
    a new rendering, stored. Readers of the case only (``case_view`` decides)."""
    _check(kind, language)
    view = case_view(user, instance_id)
    _offered(view, kind)
    if kind not in offered(view):
        raise InvalidInput(
            _("The approval certificate is issued once the credit is approved and the case decided."),
            {"kind": _("not approved and decided yet")},
        )
    return _stored_or_rendered(view, kind, language, user)


def offered(view: CaseView) -> tuple[str, ...]:
    """The documents the case can produce now (what its page links to): its kind's, the approval certificate
    only once the credit is approved and the case decided (never for a case rejected, withdrawn or still
    running)."""
    instance = view.instance
    approved = instance.status == "completed" and instance.outcome == "approved"
    return tuple(kind for kind in view.facts.kind.documents if kind != "approval_certificate" or approved)


def _offered(view: CaseView, kind: str) -> None:
    """A credit memo is a credit application's: a review, an escalation or a sampling review has none."""
    case_kind = view.facts.kind
    if kind not in case_kind.documents:
        raise InvalidInput(
            _("A %(kind)s has no %(document)s.", kind=case_kind.title, document=_(kind)),
            {"kind": _("not a document of this kind of case")},
        )


def _stored_or_rendered(view, kind: str, language: str, user: User | None) -> CaseDocument:
    instance = view.instance
    # Two runs at once (the job sent twice, or a person asking while it runs) render one copy: on PostgreSQL
    # the second waits here for the first's commit, then finds its row; SQLite lets one writer at a time.
    db.session.execute(select(ProcessInstance.id).where(ProcessInstance.id == instance.id).with_for_update())
    kept = db.session.scalar(
        select(CaseDocument)
        .where(
            CaseDocument.instance_id == instance.id,
            CaseDocument.kind == kind,
            CaseDocument.language == language,
            CaseDocument.instance_version == instance.version,
        )
        .order_by(CaseDocument.id.desc())
        .limit(1)
    )
    if kept is not None:
        return kept
    pdf = render_pdf(view, kind, language)
    with unit_of_work():
        row = CaseDocument(
            instance_id=instance.id,
            kind=kind,
            language=language,
            instance_version=instance.version,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            content=pdf,
            rendered_by_id=user.id if user else None,
        )
        db.session.add(row)
        audit.record(
            "document.rendered",
            user,
            instance_id=instance.id,
            customer_id=instance.customer_id,
            kind=kind,
            language=language,
            instance_version=instance.version,
            sha256=row.sha256,
        )
    return row


def keep_decided(instance_id: int) -> list[CaseDocument]:
    """The system keeps both documents in both languages of a decided case, as signed (the Celery
    job run when a case is decided)."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or instance.status != "completed":
        return []
    view = view_of(instance)
    return [
        _stored_or_rendered(view, kind, language, None) for kind in offered(view) for language in LANGUAGES
    ]


def stored_documents(instance_id: int) -> list[CaseDocument]:
    """Every rendering kept for a case, newest first (the file itself is not loaded)."""
    return list(
        db.session.scalars(
            select(CaseDocument)
            .where(CaseDocument.instance_id == instance_id)
            .order_by(CaseDocument.id.desc())
        )
    )


def stored(user: User, instance_id: int, document_id: int) -> CaseDocument:
    """One kept rendering of a case the user may read."""
    case_view(user, instance_id)  # authorizes
    row = db.session.get(CaseDocument, document_id)
    if row is None or row.instance_id != instance_id:
        raise NotFound(_("No document %(id)s for this case.", id=document_id))
    return row


def render_pdf(view, kind: str, language: str) -> bytes:
    """The PDF bytes of one document of ``view`` in ``language``."""
    return HTML(string=render_html(view, kind, language)).write_pdf()


def render_html(view, kind: str, language: str) -> str:
    """The page a document is printed from."""
    with force_locale(language):
        return render_template(
            KINDS[kind],
            view=view,
            d=view.data,
            a=view.data.get("analysis") or {},
            current_locale=language,
            chart=ratio_chart(view.data, language),
        )


def ratio_chart(data: dict[str, Any], language: str) -> str:
    """The case's ratio trend as an SVG line chart, the ratios and axes named in ``language`` ("" without
    statements)."""
    trend = (data.get("analysis") or {}).get("ratio_trend") or {}
    names = {name: title_in(RATIO_TITLES, name, language) for name in CHART_RATIOS if name in RATIO_TITLES}
    with force_locale(language):
        titles = {"share": _("Shares (%)"), "multiple": _("Multiples (×)")}
    return trend_svg(trend, names, RATIO_KINDS, titles, language)


# The credit memo as a page (the approver's view): the PDF memo's facts, plus what an approver
# weighs that the PDF leaves out: the group's exposure, why each decision came out as it did, and
# what earlier rounds said.


@dataclass(frozen=True)
class Remark:
    """A sign-off, committee vote or compliance review, numbered by round (a return ends a round)."""

    round: int
    task: HumanTask
    decision: str | None
    comment: str | None
    returned: list[str]  # fields the officer was asked to fix
    returned_field: Field | None  # the form field, for how those names read


@dataclass(frozen=True)
class Memo:
    view: CaseView
    chart: str
    exposure: Exposure
    decisions: list[Reading]  # each with its DMN name and its matched rules' descriptions (a grade's reason)
    remarks: list[Remark]

    @property
    def rating(self) -> Reading | None:
        """The last decision that rated the grade (not the class's cap of it)."""
        return next(
            (
                d
                for d in reversed(self.decisions)
                if isinstance(d.log.outputs, dict)
                and "grade" in d.log.outputs
                and "capped_from" not in d.log.outputs
            ),
            None,
        )

    @property
    def grade_cap(self) -> Reading | None:
        """The class's cap of the grade in force, when it lowered the grade (its rule says why)."""
        last = next(
            (
                d
                for d in reversed(self.decisions)
                if isinstance(d.log.outputs, dict) and "capped_from" in d.log.outputs
            ),
            None,
        )
        outputs = last.log.outputs if last is not None else None
        return last if isinstance(outputs, dict) and outputs.get("capped_from") else None


def memo(user: User, instance_id: int, language: str) -> Memo:
    """The credit memo of a case as one page, for readers of the case only (``case_view`` decides)."""
    view = case_view(user, instance_id)
    _offered(view, "credit_memo")
    definition = view.instance.definition
    return Memo(
        view,
        ratio_chart(view.data, language),
        exposure_of(view.instance, view.data, view.data.get(LIMIT_FIELD)),
        view.readings,
        _remarks(view.signoffs, definition.forms or {}),
    )


def _remarks(signoffs: list[HumanTask], forms: dict[str, dict]) -> list[Remark]:
    remarks, round_ = [], 1
    for task in signoffs:
        s = task.submitted or {}
        decision = s.get("decision") or s.get("compliance_decision")
        form = as_form_schema(forms[task.form]) if task.form in forms else None
        remarks.append(
            Remark(
                round_,
                task,
                decision,
                s.get("comment") or s.get("compliance_findings"),
                list(s.get("fields_to_fix") or ()),
                form.field("fields_to_fix") if form else None,
            )
        )
        if decision == "return":
            round_ += 1
    return remarks
