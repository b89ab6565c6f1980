"""External data connectors (外部数据): each source's state (its cursor, health and pause) and every payload it
delivered, kept as received with its provenance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import JsonType, Model, utcnow


class ConnectorSource(Model):
    """One external source (``app.services.connectors.sources``): where its pull got to and how it fares."""

    __tablename__ = "connector_source"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    paused: Mapped[bool] = mapped_column(
        default=False
    )  # an administrator paused it: neither pulled nor pushed
    cursor: Mapped[str | None] = mapped_column(
        String(200)
    )  # the provider's position after the last page taken
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    # Of the last attempt that failed (kept after success): a kept message, shown in the reader's language.
    last_error: Mapped[dict | str | None] = mapped_column(JsonType)
    last_error_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)  # attempts failed in a row
    breaker: Mapped[str] = mapped_column(
        String(16), default="closed"
    )  # closed | open | half-open, as last seen
    newest_event_at: Mapped[datetime | None]  # the latest event time received (its lag: now less this)


class ConnectorPayload(Model):
    """One event a source delivered, as received (``body``), with where and when it came from, and what became
    of it: ``stored`` (an observation), ``malformed`` (its ``reasons``) or ``unknown_customer``; an event id
    received again is a duplicate, counted and not kept twice."""

    __tablename__ = "connector_payload"
    __table_args__ = (UniqueConstraint("source", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(ForeignKey("connector_source.key"))
    event_id: Mapped[str] = mapped_column(String(100))  # the provider's id of the event (duplicates share it)
    request_id: Mapped[str | None] = mapped_column(String(100))  # the provider's id of the response or push
    delivery: Mapped[str] = mapped_column(String(8))  # pull | push
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    event_at: Mapped[datetime | None]
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customer.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[dict] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[dict | None] = mapped_column(JsonType)  # why not stored: {field: a kept message}
