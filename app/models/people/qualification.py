"""Approvers' qualifications: a training certificate with an expiry, recorded by the administrator."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Model, utcnow


class Qualification(Model):
    __tablename__ = "qualification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    certificate: Mapped[str] = mapped_column(String(100))
    valid_until: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @classmethod
    def valid_on(cls, day: Any):
        """The SQL condition of a certificate valid on ``day`` (a date, or a bound parameter)."""
        return cls.valid_until >= day
