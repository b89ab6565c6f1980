"""Stress testing (压力测试): the scenarios risk managers keep, each run of one over the whole book, and what the
run found for each customer (the drill-down behind every figure of a run)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow


class StressScenario(Model):
    """Shocks by industry (``services.analytics.stress_scenarios`` names their shape and bounds)."""

    __tablename__ = "stress_scenario"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    shocks: Mapped[list] = mapped_column(
        JsonType
    )  # [{industry, sales_pct, ebit_pct, rate_bp, collateral_pct}]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by = relationship("User")


class StressRun(Model):
    """One run of a scenario over the book: the shocks it ran with (the scenario may change after), its state
    and, when done, the whole bank's summary and figures by industry."""

    __tablename__ = "stress_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("stress_scenario.id", ondelete="CASCADE"), index=True)
    shocks: Mapped[list] = mapped_column(JsonType)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)  # asked for
    # when last queued or taken by a worker, and how many times taken (``services.shared.job_runs``)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    finished_at: Mapped[datetime | None]
    seconds: Mapped[float | None] = mapped_column(Float)  # the computation's own time
    summary: Mapped[dict | None] = mapped_column(
        JsonType
    )  # customers, EAD, EL and NPL ratio before and after
    industries: Mapped[list | None] = mapped_column(JsonType)  # the same, one entry per industry
    failure: Mapped[str | None] = mapped_column(Text)

    scenario = relationship("StressScenario")
    started_by = relationship("User")


class StressOutcome(Model):
    """One customer under one run: rated before and after the shocks, its exposure and expected loss, and the
    warning rules it would newly breach."""

    __tablename__ = "stress_outcome"

    run_id: Mapped[int] = mapped_column(ForeignKey("stress_run.id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    industry: Mapped[str | None] = mapped_column(String(32))
    ead: Mapped[float] = mapped_column(Float)
    pd_before: Mapped[float] = mapped_column(Float)
    pd_after: Mapped[float] = mapped_column(Float)
    grade_before: Mapped[str | None] = mapped_column(String(8))
    grade_after: Mapped[str | None] = mapped_column(String(8))
    class_before: Mapped[str] = mapped_column(String(16))
    class_after: Mapped[str] = mapped_column(String(16))
    lgd_before: Mapped[float] = mapped_column(Float)
    lgd_after: Mapped[float] = mapped_column(Float)
    el_before: Mapped[float] = mapped_column(Float)
    el_after: Mapped[float] = mapped_column(Float)
    warnings_before: Mapped[int] = mapped_column(default=0)
    warnings_after: Mapped[int] = mapped_column(default=0)
    new_warnings: Mapped[str | None] = mapped_column(String(400))  # the codes, comma-separated
