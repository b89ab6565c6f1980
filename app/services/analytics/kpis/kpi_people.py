"""The people KPIs (人员绩效): each officer's and approver's figures over a period, the previous period's beside
them, and their score by the bank's scorecard (``kpi_scorecard``).

An **officer**'s figures are those of the applications they opened (``started_by``), the steps they did, and the
quality of the portfolio they look after now (``Customer.officer_id``): downgrades, new NPLs within 24 months of
an approval, warnings raised. An **approver**'s are those of the sign-offs they did or held: days to sign off,
within the SLA, escalated, returned, and the new NPLs among the cases they approved.

Every figure is computed from the same frames as the dashboard's (``kpi_data``), so the totals agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data, kpi_scorecard
from app.services.analytics.kpis.kpi_people_table import MONITORING_STEPS, Figures, PeopleTable
from app.services.analytics.kpis.kpi_process import Frames
from app.services.analytics.kpis.kpi_rights import KpiReach

# metric key → (title, column kind): the order a person's page lists them in
OFFICER_METRICS: dict[str, tuple[Any, str]] = {
    "decided": (_l("Decisions on their applications"), "count"),
    "approval_rate": (_l("Approval rate"), "pct"),
    "turnaround_p50": (_l("Turnaround, median days"), "days"),
    "task_days_p50": (_l("Their steps, median days"), "days"),
    "returns_rate": (_l("Returned for revision"), "pct"),
    "monitoring_on_time": (_l("Reviews, visits and warning checks on time"), "pct"),
    "downgrades": (_l("Downgrades in their portfolio"), "count"),
    "new_npls": (_l("New NPLs within 24 months of approval"), "count"),
    "warnings": (_l("Warnings raised in their portfolio"), "count"),
}
APPROVER_METRICS: dict[str, tuple[Any, str]] = {
    "signoffs": (_l("Signed off"), "count"),
    "signoff_p50": (_l("Days to sign off, median"), "days"),
    "sla_on_time": (_l("Within the SLA"), "pct"),
    "escalation_rate": (_l("Escalated past their time"), "pct"),
    "returns_made": (_l("Returned for revision"), "count"),
    "new_npls": (_l("New NPLs within 24 months of approval"), "count"),
}


def metrics_for(role: str) -> dict[str, tuple[Any, str]]:
    return APPROVER_METRICS if role == "approver" else OFFICER_METRICS


@dataclass
class PeriodFrames:
    """Everything one period's people figures read."""

    process: Frames
    quality: pd.DataFrame
    warnings: pd.DataFrame
    approvers: pd.DataFrame  # instance_id → approver_id, for the new NPLs' approvals

    @cached_property
    def table(self) -> PeopleTable:
        return PeopleTable(self)

    @classmethod
    def read(cls, filters: Filters, people: list[int] | None = None) -> PeriodFrames:
        """Read over the whole bank in the filters' period and segment: a person's figures are all of their
        work, whichever branch a case is booked in (the branch filter chooses the people, not their cases).
        ``people``: only the work of these (a branch's, one person's), the whole bank's when None."""
        whole = replace(filters, branch=None)
        quality = kpi_data.quality(KpiReach(), whole)
        cases = [int(c) for c in quality["approved_case"].dropna().unique()] if len(quality) else []
        return cls(
            Frames.read(KpiReach(), whole, people),
            quality,
            kpi_data.warnings(KpiReach(), whole),
            kpi_data.approvers_of(cases),
        )


def officer_sets(f: PeriodFrames, person: int) -> dict[str, pd.DataFrame]:
    """The rows behind each of an officer's figures (what its drill-down lists)."""
    d, t, q, w = f.process.decisions, f.process.tasks, f.quality, f.warnings
    signoffs = t["task_spec"] == kpi_data.SIGN_OFF
    mine_q = q[q["officer_id"] == person] if len(q) else q
    decided = d[d["started_by_id"] == person]
    return {
        "decided": decided,
        "approval_rate": decided,
        "turnaround_p50": decided,
        "task_days_p50": t[(t["person"] == person) & (t["state"] == "completed")],
        "returns_rate": t[signoffs & (t["started_by_id"] == person) & (t["state"] == "completed")],
        "monitoring_on_time": t[
            (t["person"] == person) & t["task_spec"].isin(MONITORING_STEPS) & (t["on_time"] | t["late"])
        ],
        "downgrades": mine_q[mine_q["downgrade"]] if len(mine_q) else mine_q,
        "new_npls": mine_q[mine_q["new_npl"]] if len(mine_q) else mine_q,
        "warnings": w[w["officer_id"] == person] if len(w) else w,
    }


def approver_sets(f: PeriodFrames, person: int) -> dict[str, pd.DataFrame]:
    """The rows behind each of an approver's figures (what its drill-down lists)."""
    t, q = f.process.tasks, f.quality
    held = t[(t["task_spec"] == kpi_data.SIGN_OFF) & (t["person"] == person)]
    done = held[held["state"] == "completed"]
    approved = (
        set(f.approvers[f.approvers["approver_id"] == person]["instance_id"]) if len(f.approvers) else set()
    )
    return {
        "signoffs": done,
        "signoff_p50": done,
        "sla_on_time": held[held["on_time"] | held["late"]],
        "escalation_rate": held[(held["state"] == "completed") | held["escalated"]],
        "returns_made": done[done["returned"]],
        "new_npls": q[q["new_npl"] & q["approved_case"].isin(approved)] if len(q) else q,
    }


def active(figures: Figures, role: str) -> bool:
    """Whether the period holds any work of the person's own (else their score is not computed)."""
    if role == "approver":
        return bool(figures["signoffs"]) or bool(figures["escalation_rate"])
    return bool(figures["decided"]) or figures["task_days_p50"] is not None


def sets_of(f: PeriodFrames, person: User) -> dict[str, pd.DataFrame]:
    return approver_sets(f, person.id) if person.role == "approver" else officer_sets(f, person.id)


def role_of(person: User) -> str:
    """The scorecard's role of ``person`` (an approver's, else an officer's figures)."""
    return "approver" if person.role == "approver" else "officer"


def score_of(
    f: PeriodFrames, person: User, weights: list[kpi_scorecard.Weight] | None = None
) -> tuple[Figures, kpi_scorecard.Score]:
    """``person``'s figures over the period of ``f`` and their score (``weights``: the role's, when read once
    for many people)."""
    figures = figures_of(f, person)
    role = role_of(person)
    return figures, kpi_scorecard.score(role, figures, active=active(figures, role), weights=weights)


def figures_of(f: PeriodFrames, person: User) -> Figures:
    """``person``'s figures over the period of ``f``."""
    return f.table.of(person)


def people_in(reach: KpiReach, filters: Filters) -> list[User]:
    """The officers and approvers in the reader's reach (narrowed to the filters' branch), by role and name."""
    scope = reach.narrowed(filters.branch)
    return list(
        db.session.scalars(select(User).where(scope.people()).order_by(User.role.desc(), User.username))
    )
