"""The cases or customers behind a KPI (明细): the same frame a figure was counted from, filtered to the row
clicked, so a drill-down always lists exactly what the figure counted.

``measure`` names the figure (and ``key`` its row): for the dashboard's process figures ``decisions``,
``route``, ``signoffs``, ``escalated``, ``returned``, ``stage``, ``level``, ``open``; with ``person`` set, one
of that person's metrics (``kpi_people.OFFICER_METRICS`` / ``APPROVER_METRICS``).
"""

from __future__ import annotations

import pandas as pd
from flask_babel import get_locale
from flask_babel import gettext as _

from app.errors import NotFound
from app.extensions import db
from app.language import in_language
from app.localtime import local_time
from app.models import User
from app.services.analytics.figures import Column, Figure
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data, kpi_people
from app.services.analytics.kpis.kpi_process import Frames, step_label
from app.services.analytics.kpis.kpi_rights import check_person, kpi_reach

LIMIT = 1000  # rows listed (and exported) at most; the count says how many there are


def rows_of(reader: User, filters: Filters, measure: str, key: str | None, person_id: int | None) -> Figure:
    """The drill-down of ``measure`` (row ``key``) as a figure; NotAuthorized outside the reader's reach,
    NotFound for a measure the page does not have."""
    if person_id is not None:
        person = db.session.get(User, person_id)
        if person is None:
            raise NotFound(_("No such person."))
        check_person(reader, person)
        sets = kpi_people.sets_of(kpi_people.PeriodFrames.read(filters, [person.id]), person)
        if measure not in sets:
            raise NotFound(_("This page has no such table."))
        return _figure(
            sets[measure], f"{person.display_name}: {kpi_people.metrics_for(person.role)[measure][0]}"
        )
    reach = kpi_reach(reader)
    if measure == "open":
        cases = kpi_data.open_cases(reach, filters)
        waiting = cases[cases["current_step"].fillna("") == (key or "")] if len(cases) else cases
        return _figure(waiting, _("Open applications waiting at %(step)s", step=step_label(key)))
    frames = Frames.read(reach, filters)
    return _figure(_process_rows(frames, measure, key), _("Cases behind the figure"))


def _process_rows(f: Frames, measure: str, key: str | None) -> pd.DataFrame:
    d, t = f.decisions, f.tasks
    signoffs = t[t["task_spec"] == kpi_data.SIGN_OFF]
    if measure == "decisions":
        return d
    if measure == "route":
        return d[d["route"] == key]
    if measure == "signoffs":
        return signoffs[signoffs["on_time"] | signoffs["late"]]
    if measure == "escalated":
        return signoffs[signoffs["escalated"]]
    if measure == "returned":
        return signoffs[signoffs["returned"]]
    if measure == "stage":
        return t[t["task_spec"] == key]
    if measure == "level":
        try:
            level = int(key or 0)
        except ValueError:
            raise NotFound(_("This page has no such table.")) from None
        return signoffs[signoffs["required_level"].fillna(0).astype(int) == level]
    raise NotFound(_("This page has no such table."))


def _figure(frame: pd.DataFrame, title: str) -> Figure:
    """The rows as a figure whose first column links to the case (or the customer)."""
    locale = get_locale()
    shown = frame.head(LIMIT)
    note = _("%(count)s in all.", count=len(frame))
    columns: tuple[Column, ...]
    if "task_id" in frame.columns:
        names = kpi_data.names_of(shown)
        references = kpi_data.references_of([int(i) for i in shown["instance_id"]])
        columns = (
            Column("case", _("Case")),
            Column("step", _("Step")),
            Column("ended", _("Ended")),
            Column("days", _("Days"), "days"),
            Column("timing", _("Timing")),
        )
        rows = [
            {
                "case": references.get(int(r.instance_id), ""),
                "step": in_language(names.get(r.task_spec, r.task_spec), locale),
                "ended": local_time(r.completed_at),
                "days": r.days,
                "timing": _("on time") if r.on_time else (_("late") if r.late else "—"),
                "drill": {"case_id": int(r.instance_id)},
            }
            for r in shown.itertuples()
        ]
        return Figure("cases", title, columns, rows, drill="cases.show", note=note)
    if "decided_at" in frame.columns:
        ids = [int(i) for i in shown["instance_id"]]
        references, limits = kpi_data.references_of(ids), kpi_data.limits_of(ids)
        columns = (
            Column("case", _("Case")),
            Column("outcome", _("Outcome")),
            Column("decided", _("Decided")),
            Column("days", _("Days from intake"), "days"),
            Column("limit", _("Limit"), "money"),
        )
        rows = [
            {
                "case": references.get(int(r.instance_id), ""),
                "outcome": _("approved") if r.approved else _("rejected"),
                "decided": local_time(r.decided_at),
                "days": round(r.days, 1),
                "limit": limits.get(int(r.instance_id)),
                "drill": {"case_id": int(r.instance_id)},
            }
            for r in shown.itertuples()
        ]
        return Figure("cases", title, columns, rows, drill="cases.show", note=note)
    if "current_step" in frame.columns:
        columns = (Column("case", _("Case")), Column("started", _("Started")))
        rows = [
            {
                "case": r.reference,
                "started": local_time(r.started_at),
                "drill": {"case_id": int(r.instance_id)},
            }
            for r in shown.itertuples()
        ]
        return Figure("cases", title, columns, rows, drill="cases.show", note=note)
    return _customers(shown, title, note)


def _customers(frame: pd.DataFrame, title: str, note: str) -> Figure:
    """Grade and class changes, or warnings: one row per event, linking to its customer."""
    warning = "severity" in frame.columns
    columns = (
        Column("customer", _("Customer")),
        Column("what", _("Severity") if warning else _("Change")),
        Column("when", _("When")),
    )
    rows = [
        {
            "customer": r.name,
            "what": _coded("severity_", r.severity) if warning else _change(r),
            "when": local_time(r.detected_at if warning else r.changed_at),
            "drill": {"customer_id": int(r.customer_id)},
        }
        for r in frame.itertuples()
    ]
    return Figure("customers", title, columns, rows, drill="customers.show", note=note)


def _change(r) -> str:
    parts = []
    if r.grade_before != r.grade_after:
        parts.append(f"{r.grade_before or '—'} → {r.grade_after or '—'}")
    if r.class_before != r.class_after:
        parts.append(f"{_class(r.class_before)} → {_class(r.class_after)}")
    return "; ".join(parts)


def _class(code: str | None) -> str:
    return _coded("class_", code)


def _coded(prefix: str, code: str | None) -> str:
    """A coded value in the reader's language, by its vocabulary name (``severity_high``, ``class_loss``)."""
    if not code:
        return "—"
    name = prefix + code
    return _(name)
