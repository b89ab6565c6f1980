"""Every person's KPI figures of one period at once (the dashboard's tables): each figure grouped by person in
one pass over the period's frames, never one filter of the whole frame per person.

The figures, by role (the drill-downs of ``kpi_people`` list the rows each one counts):

- officer: ``decided`` (decisions on applications they opened), ``approval_rate`` (approved of those, %),
  ``turnaround_p50`` (median days intake → decision), ``task_days_p50`` (median days of the steps they did),
  ``returns_rate`` (sign-offs on their applications that returned them, %), ``monitoring_on_time`` (their reviews,
  inspection visits and warning checks with a time limit done within it, %), ``downgrades``, ``new_npls`` and
  ``warnings`` of the customers they look after;
- approver: ``signoffs``, ``signoff_p50`` (median days), ``sla_on_time`` (%, of the sign-offs with a time limit),
  ``escalation_rate`` (escalated of signed off + escalated, %), ``returns_made``, ``new_npls`` (of the cases they
  approved).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from app.models import User
from app.services.analytics.figures import share
from app.services.analytics.kpis import kpi_data

if TYPE_CHECKING:
    from app.services.analytics.kpis.kpi_people import PeriodFrames

Figures = dict[str, Decimal | int | float | None]
MONITORING_STEPS = ("do_review", "record_visit", "investigate_warning")  # reviews, visits, warning checks


def _count(frame: pd.DataFrame, by: str) -> dict[Any, int]:
    return {k: int(v) for k, v in frame.groupby(by).size().items()} if len(frame) else {}


def _sum(frame: pd.DataFrame, by: str, column: str) -> dict[Any, int]:
    return {k: int(v) for k, v in frame.groupby(by)[column].sum().items()} if len(frame) else {}


def _p50(frame: pd.DataFrame, by: str) -> dict[Any, float]:
    """The median of ``days`` per group (the 0.5 quantile, as ``kpi_process.days``), one decimal."""
    if not len(frame):
        return {}
    medians = frame.groupby(by)["days"].median()
    return {k: round(float(v), 1) for k, v in medians.items() if pd.notna(v)}


class PeopleTable:
    """The figures of every person of one period, computed on first use for each role."""

    def __init__(self, frames: PeriodFrames) -> None:
        self.frames = frames

    def of(self, person: User) -> Figures:
        if person.role == "approver":
            return self.approver(person.id)
        return self.officer(person.id)

    @cached_property
    def _officers(self) -> dict[str, dict[Any, Any]]:
        f = self.frames
        d, t, q, w = f.process.decisions, f.process.tasks, f.quality, f.warnings
        done = t[t["state"] == "completed"]
        signoffs = done[done["task_spec"] == kpi_data.SIGN_OFF]
        monitoring = t[t["task_spec"].isin(MONITORING_STEPS) & (t["on_time"] | t["late"])]
        return {
            "decided": _count(d, "started_by_id"),
            "approved": _sum(d, "started_by_id", "approved"),
            "turnaround": _p50(d, "started_by_id"),
            "task_days": _p50(done, "person"),
            "signoffs": _count(signoffs, "started_by_id"),
            "returned": _sum(signoffs, "started_by_id", "returned"),
            "monitoring": _count(monitoring, "person"),
            "monitoring_on_time": _sum(monitoring, "person", "on_time"),
            "downgrades": _sum(q, "officer_id", "downgrade"),
            "new_npls": _sum(q, "officer_id", "new_npl"),
            "warnings": _count(w, "officer_id"),
        }

    def officer(self, person: int) -> Figures:
        g = {name: values.get(person) for name, values in self._officers.items()}
        return {
            "decided": g["decided"] or 0,
            "approval_rate": share(g["approved"] or 0, g["decided"] or 0),
            "turnaround_p50": g["turnaround"],
            "task_days_p50": g["task_days"],
            "returns_rate": share(g["returned"] or 0, g["signoffs"] or 0),
            "monitoring_on_time": share(g["monitoring_on_time"] or 0, g["monitoring"] or 0),
            "downgrades": g["downgrades"] or 0,
            "new_npls": g["new_npls"] or 0,
            "warnings": g["warnings"] or 0,
        }

    @cached_property
    def _approvers(self) -> dict[str, dict[Any, Any]]:
        f = self.frames
        t, q = f.process.tasks, f.quality
        held = t[t["task_spec"] == kpi_data.SIGN_OFF]
        done = held[held["state"] == "completed"]
        timed = held[held["on_time"] | held["late"]]
        npls = q[q["new_npl"]] if len(q) else q
        approved = (
            npls.merge(f.approvers, left_on="approved_case", right_on="instance_id")
            if len(npls) and len(f.approvers)
            else pd.DataFrame(columns=["approver_id"])
        )
        return {
            "signoffs": _count(done, "person"),
            "signoff_p50": _p50(done, "person"),
            "timed": _count(timed, "person"),
            "on_time": _sum(timed, "person", "on_time"),
            "escalated": _sum(held, "person", "escalated"),
            "returned": _sum(done, "person", "returned"),
            "new_npls": _count(approved, "approver_id"),
        }

    def approver(self, person: int) -> Figures:
        g = {name: values.get(person) for name, values in self._approvers.items()}
        signoffs, escalated = g["signoffs"] or 0, g["escalated"] or 0
        return {
            "signoffs": signoffs,
            "signoff_p50": g["signoff_p50"],
            "sla_on_time": share(g["on_time"] or 0, g["timed"] or 0),
            "escalation_rate": share(escalated, signoffs + escalated),
            "returns_made": g["returned"] or 0,
            "new_npls": g["new_npls"] or 0,
        }
