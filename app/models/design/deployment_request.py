"""A deployment to production waiting for a second designer's (or the administrator's) approval."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow


class DeploymentRequest(Model):
    __tablename__ = "deployment_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    note: Mapped[str] = mapped_column(String(500))
    # the files as they were checked when requested: {"workflows": {name: text}, "rules": {...}, "forms": {...}}
    files: Mapped[dict] = mapped_column(JsonType, deferred=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | deployed | rejected
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[list | None] = mapped_column(JsonType)  # [[process, version, created]]
    # what the request rests on: each directory file's SHA-256 when requested ("" absent), by kind and name
    bases: Mapped[dict | None] = mapped_column(JsonType, deferred=True)
    # the drafts it takes: [{"kind", "name", "id", "revision", "authors": [user ids]}]
    drafts: Mapped[list | None] = mapped_column(JsonType)

    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
