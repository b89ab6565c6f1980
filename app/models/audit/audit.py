"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import JsonType, Model, utcnow


class AuditEvent(Model):
    """One event; ``hash`` = SHA-256 over the previous row's hash and this row's content."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_instance", "instance_id", "id"),
        # the auditor's search reads newest first by customer, by user and by time
        Index("ix_audit_event_customer", "customer_id", "id"),
        Index("ix_audit_event_actor", "actor_name", "id"),
        Index("ix_audit_event_occurred", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_type: Mapped[str] = mapped_column(String(64), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    actor_name: Mapped[str] = mapped_column(String(64))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(JsonType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
