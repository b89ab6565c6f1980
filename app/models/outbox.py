"""The job outbox: a job asked for by a step or an upload, committed with it, relayed to the broker after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import JsonType, Model, utcnow


class QueuedJob(Model):
    """One job to send to the broker: its registered task name and arguments. Written in the transaction
    that needs it, so a job exists exactly when the work asking for it committed; ``sent_at`` is set once
    the broker took it (or an eager run finished), and until then the sweep sends it again."""

    __tablename__ = "job_outbox"
    __table_args__ = (Index("ix_job_outbox_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
