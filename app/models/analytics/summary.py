"""The portfolio dashboard as last precomputed (风险管理驾驶舱): one row per scope (the whole bank, or one branch)
and language, holding the page's figures for the default period, and when they were computed."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import JsonType, Model, utcnow


class PortfolioSummary(Model):
    __tablename__ = "portfolio_summary"
    __table_args__ = (UniqueConstraint("scope", "locale", name="uq_portfolio_summary_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))  # "bank" or "branch:<code>"
    locale: Mapped[str] = mapped_column(String(8))
    date_from: Mapped[date]
    date_to: Mapped[date]
    sections: Mapped[list] = mapped_column(JsonType)  # [{key, title, figures: [...]}], figures as plain JSON
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # how long computing them took
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
