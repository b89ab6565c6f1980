"""The dashboards as last precomputed by their jobs, each row the page of one scope in one language for the default
period, and when it was computed:

- ``PortfolioSummary`` (风险管理驾驶舱): the whole bank, or one branch;
- ``KpiSummary`` (绩效考核): the whole bank's, a branch's or one person's own dashboard, and each person's page.
"""

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


class KpiSummary(Model):
    __tablename__ = "kpi_summary"
    __table_args__ = (UniqueConstraint("scope", "locale", name="uq_kpi_summary_scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(80))  # "bank", "branch:<code>", "person:<id>" or "page:<id>"
    locale: Mapped[str] = mapped_column(String(8))
    date_from: Mapped[date]
    date_to: Mapped[date]
    page: Mapped[dict] = mapped_column(JsonType)  # {figures: [...]} and, for a person's page, the scores
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # how long computing it took
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
