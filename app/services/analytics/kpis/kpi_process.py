"""The process KPIs (流程效率) of the dashboard: each a ``Figure`` over the frames of ``kpi_data``, each row
naming the drill-down (``kpi_drill``) that lists the cases behind it.

- **Open applications by step**: the credit applications running now, by the step they wait at.
- **Turnaround by approval route**: decisions of the period, approval rate, days intake → decision (p50, p90).
- **Steps**: every kind of human task that ended in the period: how many, days ready → done (p50, p90), and for
  those with a time limit how many were on time.
- **Sign-offs by authority level** (分级审批): on time within the SLA, escalated (超时上报), returned (退回修改).
- **Headline**: the period against the previous one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from flask_babel import get_locale
from flask_babel import gettext as _

from app.language import in_language
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data
from app.services.analytics.kpis.kpi_rights import KpiReach

DRILL = "kpis.cases"


@dataclass(frozen=True)
class Frames:
    """The frames of one period (read once for every figure of the page)."""

    tasks: pd.DataFrame
    decisions: pd.DataFrame

    @classmethod
    def read(cls, reach: KpiReach, filters: Filters, people: list[int] | None = None) -> Frames:
        """``people``: only what these people did or opened (their own figures need no more)."""
        return cls(kpi_data.tasks(reach, filters, people), kpi_data.decisions(reach, filters, people))


def days(series: pd.Series, q: float) -> float | None:
    """The ``q`` quantile of durations in days (one decimal), None over nothing."""
    clean = series.dropna()
    return None if clean.empty else round(float(clean.quantile(q)), 1)


def _headline(f: Frames) -> dict[str, Any]:
    d, t = f.decisions, f.tasks
    signoffs = t[t["task_spec"] == kpi_data.SIGN_OFF]
    timed = signoffs[signoffs["on_time"] | signoffs["late"]]
    return {
        "decided": len(d),
        "approval_rate": share(int(d["approved"].sum()), len(d)),
        "turnaround_p50": days(d["days"], 0.5),
        "turnaround_p90": days(d["days"], 0.9),
        "sla_on_time": share(int(timed["on_time"].sum()), len(timed)),
        "escalations": int(signoffs["escalated"].sum()),
        "returns": int(signoffs["returned"].sum()),
    }


def headline_figure(now: Frames, before: Frames) -> Figure:
    """The period's headline figures in one row, the previous period's in the next (the row of this period
    drills down to its decisions)."""
    rows = [
        {"period": _("This period"), **_headline(now), "drill": {"measure": "decisions"}},
        {"period": _("Previous period"), **_headline(before)},
    ]
    return Figure(
        "headline",
        _("This period against the previous one"),
        (
            Column("period", _("Period")),
            Column("decided", _("Decisions"), "count"),
            Column("approval_rate", _("Approval rate"), "pct"),
            Column("turnaround_p50", _("Turnaround, median days"), "days"),
            Column("turnaround_p90", _("Turnaround, 90th percentile days"), "days"),
            Column("sla_on_time", _("Sign-offs within the SLA"), "pct"),
            Column("escalations", _("Escalations"), "count"),
            Column("returns", _("Returns for revision"), "count"),
        ),
        rows,
        drill=DRILL,
        note=_("Escalations and returns drill down from the sign-offs by authority level below."),
    )


def step_label(step: object) -> str:
    """The step a case waits at, in the reader's language (a row's label; "—" for none)."""
    return in_language(step, get_locale()) if isinstance(step, str) and step else "—"


def open_figure(open_cases: pd.DataFrame) -> Figure:
    counts = open_cases["current_step"].fillna("").value_counts() if len(open_cases) else pd.Series()
    rows = [  # the drill-down's key is the step as stored (both languages): a link that reads the same in either
        {"step": step_label(step), "cases": int(n), "drill": {"measure": "open", "key": step}}
        for step, n in counts.items()
    ]
    return Figure(
        "open",
        _("Open applications by step"),
        (Column("step", _("Waiting at")), Column("cases", _("Cases"), "count")),
        rows,
        Chart("bar", "step", ("cases",)),
        drill=DRILL,
        note=_("Running now, whatever the period."),
    )


def turnaround_figure(f: Frames) -> Figure:
    d = f.decisions
    rows = []
    for route, group in d.groupby("route") if len(d) else []:
        rows.append(
            {
                "route": _(route),  # single | sequential | committee, coded values the vocabulary names
                "decided": len(group),
                "approved": int(group["approved"].sum()),
                "approval_rate": share(int(group["approved"].sum()), len(group)),
                "p50": days(group["days"], 0.5),
                "p90": days(group["days"], 0.9),
                "drill": {"measure": "route", "key": route},
            }
        )
    total = {
        "route": _("All"),
        "decided": len(d),
        "approved": int(d["approved"].sum()) if len(d) else 0,
        "approval_rate": share(int(d["approved"].sum()) if len(d) else 0, len(d)),
        "p50": days(d["days"], 0.5),
        "p90": days(d["days"], 0.9),
    }
    return Figure(
        "turnaround",
        _("Turnaround from intake to decision, by approval route"),
        (
            Column("route", _("Approval route")),
            Column("decided", _("Decisions"), "count"),
            Column("approved", _("Approved"), "count"),
            Column("approval_rate", _("Approval rate"), "pct"),
            Column("p50", _("Median days"), "days"),
            Column("p90", _("90th percentile days"), "days"),
        ),
        rows,
        Chart("bar", "route", ("p50", "p90")),
        drill=DRILL,
        total=total,
    )


def stages_figure(f: Frames) -> Figure:
    t, locale = f.tasks, get_locale()
    names = kpi_data.names_of(t)
    rows: list[dict[str, Any]] = []
    for spec, group in t.groupby("task_spec") if len(t) else []:
        done = group[group["state"] == "completed"]
        timed = group[group["on_time"] | group["late"]]
        rows.append(
            {
                "step": in_language(names.get(str(spec), str(spec)), locale),
                "done": len(done),
                "p50": days(done["days"], 0.5),
                "p90": days(done["days"], 0.9),
                "timed": len(timed),
                "on_time": share(int(timed["on_time"].sum()), len(timed)),
                "drill": {"measure": "stage", "key": spec},
            }
        )
    rows.sort(key=lambda r: -int(r["done"]))
    return Figure(
        "stages",
        _("Time at each step (ready to done)"),
        (
            Column("step", _("Step")),
            Column("done", _("Done"), "count"),
            Column("p50", _("Median days"), "days"),
            Column("p90", _("90th percentile days"), "days"),
            Column("timed", _("With a time limit"), "count"),
            Column("on_time", _("On time"), "pct"),
        ),
        rows,
        Chart("bar", "step", ("p50", "p90")),
        drill=DRILL,
        note=_("Reviews, inspection visits and warning checks are steps too: their on-time share is here."),
    )


def sla_figure(f: Frames) -> Figure:
    t = f.tasks
    s = t[t["task_spec"] == kpi_data.SIGN_OFF]
    rows = []
    for level, group in s.groupby(s["required_level"].fillna(0).astype(int)) if len(s) else []:
        timed = group[group["on_time"] | group["late"]]
        rows.append(
            {
                "level": str(level) if level else "—",
                "signoffs": int((group["state"] == "completed").sum()),
                "on_time_share": share(int(timed["on_time"].sum()), len(timed)),
                "escalated": int(group["escalated"].sum()),
                "returned": int(group["returned"].sum()),
                "drill": {"measure": "level", "key": str(level)},
            }
        )
    return Figure(
        "sla",
        _("Sign-offs by authority level"),
        (
            Column("level", _("Authority level")),
            Column("signoffs", _("Signed off"), "count"),
            Column("on_time_share", _("Within the SLA"), "pct"),
            Column("escalated", _("Escalated"), "count"),
            Column("returned", _("Returned for revision"), "count"),
        ),
        rows,
        Chart("bar", "level", ("signoffs", "escalated", "returned")),
        drill=DRILL,
    )
