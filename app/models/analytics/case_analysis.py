"""One case analysis of the case library (案例库): why a customer defaulted (or a warning was handled well), what
signals were missed, the lessons and the policy recommendation, recorded by a risk manager in
``workflows/case_analysis.bpmn`` and approved into the library by a reviewer who did not write it (四眼原则).

An analysis is started once per event (``trigger_kind`` + ``trigger_ref``: a rating change into 次级 or worse,
an escalation closed after a risk control, a closed warning handled well); one started by hand from the
customer's page with no warning is numbered per customer instead (``hand:<customer id>:<n>``; None on those
started before), so that two started at the same moment are one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

TRIGGER_KINDS = ("default", "control", "success", "manual")
STATUSES = ("open", "in_review", "approved", "returned")


class CaseAnalysis(Model):
    __tablename__ = "case_analysis"
    __table_args__ = (
        UniqueConstraint("trigger_kind", "trigger_ref", name="uq_case_analysis_trigger"),
        Index("ix_case_analysis_status_industry", "status", "industry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    trigger_kind: Mapped[str] = mapped_column(String(16))  # default | control | success | manual
    trigger_ref: Mapped[str | None] = mapped_column(
        String(64)
    )  # rating_change:<id> | escalation:<id> | warning:<id> | hand:<customer id>:<n>
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | in_review | approved | returned
    default_on: Mapped[date | None]  # the day the class became 次级 or worse (None: no default)
    industry: Mapped[str | None] = mapped_column(String(32))  # the customer's, when the analysis started
    title: Mapped[str | None] = mapped_column(String(200))
    root_causes: Mapped[list] = mapped_column(JsonType, default=list)  # codes of ``case_library.causes``
    missed_signals: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("design_draft.id", ondelete="SET NULL"))
    draft_name: Mapped[str | None] = mapped_column(String(200))  # kept if the draft is deployed or discarded
    tags: Mapped[list] = mapped_column(JsonType, default=list)
    outcome: Mapped[str | None] = mapped_column(String(16))  # loss | recovering | recovered | restructured
    analyst_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    review_comment: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]

    customer = relationship("Customer")
    instance = relationship("ProcessInstance")
    analyst = relationship("User", foreign_keys=[analyst_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
