"""Early warnings (预警) and the risk-control actions applied to facilities."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow


class EarlyWarning(Model):
    """One warning signal of one customer, open until the escalation that holds it ends. A signal already
    open for the customer is not raised again (deduplication). The new warnings of one customer from one
    check share one escalation, and a warning raised while one is at its investigation joins it
    (``instance_id``); later, it starts its own."""

    __tablename__ = "early_warning"
    __table_args__ = (
        Index("ix_early_warning_open", "status", "customer_id", "code"),
        Index("ix_early_warning_instance", "instance_id"),
        # one open warning per customer and signal, whatever runs at once
        Index(
            "ux_early_warning_one_open",
            "customer_id",
            "code",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(String(16))  # low | medium | high
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    outcome: Mapped[str | None] = mapped_column(String(32))  # false_alarm | closed
    evidence: Mapped[dict] = mapped_column(
        JsonType, default=dict
    )  # every input of the rules for the customer
    rule_id: Mapped[str] = mapped_column(String(100))
    rule_text: Mapped[str | None] = mapped_column(String(500))  # the rule's description, as the table said
    # the figures the rule tests, as observed: [{"key", "label" (the table's, "English / 中文"), "value"}]
    figures: Mapped[list | None] = mapped_column(JsonType)
    rules_hash: Mapped[str] = mapped_column(String(64))  # which version of rules/warning_rules.dmn
    basis: Mapped[str | None] = mapped_column(
        String(40)
    )  # the figures it rests on: statements:<year> | observation:<date>
    observed_on: Mapped[date | None]  # the observation that triggered it (None for a rule on statements)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime | None]  # when it joined an escalation already open (None: it started its own)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    customer = relationship("Customer")
    instance = relationship("ProcessInstance")


class FacilityChange(Model):
    """A risk-control action applied to a facility, with the facility before and after."""

    __tablename__ = "facility_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    before: Mapped[dict] = mapped_column(JsonType)
    after: Mapped[dict] = mapped_column(JsonType)
    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
