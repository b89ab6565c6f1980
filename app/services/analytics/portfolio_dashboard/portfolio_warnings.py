"""Early warnings over time (预警分析): how many each signal raised and how severe, month by month; how long
they took to close; and each rule's false-alarm rate (误报率) — the share of its closed warnings the
investigation found to be a false alarm. A rule whose closed warnings were nearly all false alarms
(``NOISY_RATE`` or more of at least ``NOISY_MIN`` closed) is named, for the designers to sharpen.

Warnings count in the period they were detected; times to close and false alarms in the period they closed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.language import in_language
from app.localtime import local_date
from app.models import Customer, EarlyWarning
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard.portfolio_book import end_of, frame, in_scope
from app.services.analytics.rights import Reach

SEVERITY_ORDER = ("high", "medium", "low")
NOISY_RATE = Decimal(80)  # % of closed warnings found false alarms
NOISY_MIN = 5  # closed warnings before a rule is judged
COLUMNS = ["code", "name", "severity", "outcome", "rule_id", "detected_at", "closed_at"]


def read(reach: Reach, filters: Filters) -> pd.DataFrame:
    """The warnings of the customers in scope detected or closed in the period (one row each)."""
    start, end = end_of(filters.previous().date_to), end_of(filters.date_to)
    query = select(*(getattr(EarlyWarning, c) for c in COLUMNS)).where(
        EarlyWarning.customer_id.in_(select(Customer.id).where(in_scope(reach, filters))),
        or_(
            EarlyWarning.detected_at.between(start, end),
            EarlyWarning.closed_at.between(start, end),
        ),
    )
    found = frame(query, COLUMNS)
    found["detected_in"] = found["detected_at"].map(lambda t: start < t <= end) if len(found) else []
    found["closed_in"] = (
        found["closed_at"].map(lambda t: t is not None and not pd.isna(t) and start < t <= end)
        if len(found)
        else []
    )
    return found


def _severity_titles() -> dict[str, str]:
    return {s: _(f"severity_{s}") for s in SEVERITY_ORDER}


def by_signal(frame: pd.DataFrame) -> Figure:
    """Warnings detected in the period per signal, by severity."""
    detected = frame[frame["detected_in"]] if len(frame) else frame
    rows = []
    for code, mine in detected.groupby("code") if len(detected) else []:
        row = {
            "label": in_language(str(mine["name"].iloc[-1]), str(get_locale())),
            "code": code,
            "drill": {"warning": code},
        }
        for severity in SEVERITY_ORDER:
            row[severity] = int((mine["severity"] == severity).sum())
        row["total"] = len(mine)
        rows.append(row)
    rows.sort(key=lambda r: (-r["total"], r["code"]))
    titles = _severity_titles()
    return Figure(
        key="warnings_by_signal",
        title=_("Warnings by signal and severity"),
        columns=(
            Column("label", _("Signal"), "text"),
            Column("code", _("Code"), "text"),
            *(Column(s, titles[s], "count") for s in SEVERITY_ORDER),
            Column("total", _("Total"), "count"),
        ),
        rows=rows,
        chart=Chart("stacked", "label", SEVERITY_ORDER),
        drill="portfolio.customers",
    )


def _month(value) -> str:
    return local_date(value.to_pydatetime() if hasattr(value, "to_pydatetime") else value).strftime("%Y-%m")


def by_month(frame: pd.DataFrame, filters: Filters) -> Figure:
    """Warnings detected each month of the period, by severity, and those closed."""
    months: dict[str, dict] = {}
    day: date = filters.date_from.replace(day=1)
    while day <= filters.date_to:
        months[day.strftime("%Y-%m")] = {
            "label": day.strftime("%Y-%m"),
            **dict.fromkeys(SEVERITY_ORDER, 0),
            "closed": 0,
        }
        day = (day.replace(day=28) + pd.Timedelta(days=4)).replace(day=1)
    for row in frame.itertuples() if len(frame) else []:
        if row.detected_in and _month(row.detected_at) in months:
            months[_month(row.detected_at)][row.severity] = (
                months[_month(row.detected_at)].get(row.severity, 0) + 1
            )
        if row.closed_in and _month(row.closed_at) in months:
            months[_month(row.closed_at)]["closed"] += 1
    titles = _severity_titles()
    return Figure(
        key="warnings_by_month",
        title=_("Warnings detected and closed by month"),
        columns=(
            Column("label", _("Month"), "text"),
            *(Column(s, titles[s], "count") for s in SEVERITY_ORDER),
            Column("closed", _("Closed"), "count"),
        ),
        rows=list(months.values()),
        chart=Chart("stacked", "label", SEVERITY_ORDER),
    )


def closing(frame: pd.DataFrame) -> Figure:
    """Per rule, the warnings closed in the period: how long they took (mean and longest, days) and the share
    found false alarms; the rules nearly always wrong are named in the note."""
    closed = frame[frame["closed_in"]] if len(frame) else frame
    rows = []
    for rule_id, mine in closed.groupby("rule_id") if len(closed) else []:
        days = [
            (c - d).total_seconds() / 86400
            for c, d in zip(mine["closed_at"], mine["detected_at"], strict=True)
        ]
        false_alarms = int((mine["outcome"] == "false_alarm").sum())
        rate = share(false_alarms, len(mine))
        rows.append(
            {
                "label": rule_id,
                "signal": in_language(str(mine["name"].iloc[-1]), str(get_locale())),
                "closed": len(mine),
                "mean_days": Decimal(str(round(sum(days) / len(days), 1))),
                "max_days": Decimal(str(round(max(days), 1))),
                "false_alarms": false_alarms,
                "false_alarm_rate": rate,
                "noisy": len(mine) >= NOISY_MIN and rate is not None and rate >= NOISY_RATE,
                "drill": {"warning_rule": rule_id},
            }
        )
    rows.sort(key=lambda r: (-(r["false_alarm_rate"] or 0), r["label"]))
    noisy = [r["label"] for r in rows if r["noisy"]]
    for row in rows:
        row["verdict"] = _("nearly always a false alarm") if row.pop("noisy") else ""
    note = (
        _("Nearly always a false alarm: %(rules)s.", rules=", ".join(noisy))
        if noisy
        else _("No rule is nearly always a false alarm.")
    )
    return Figure(
        key="warnings_closing",
        title=_("Time to close and false-alarm rate by rule"),
        columns=(
            Column("label", _("Rule"), "text"),
            Column("signal", _("Signal"), "text"),
            Column("closed", _("Closed"), "count"),
            Column("mean_days", _("Mean days to close"), "days"),
            Column("max_days", _("Longest"), "days"),
            Column("false_alarms", _("False alarms"), "count"),
            Column("false_alarm_rate", _("False-alarm rate"), "pct"),
            Column("verdict", _("Verdict"), "text"),
        ),
        rows=rows,
        chart=Chart("bar", "label", ("false_alarm_rate",)),
        drill="portfolio.customers",
        note=note,
    )
