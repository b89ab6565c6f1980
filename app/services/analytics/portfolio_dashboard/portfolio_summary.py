"""The portfolio dashboard precomputed (风险管理驾驶舱): a job (``app.jobs.analytics.precompute_portfolio``, on
beat) computes the default period's figures for the whole bank and for each branch, in each language, and keeps
them in ``PortfolioSummary``; the page reads them when its filters are the default ones for today — a whole
bank's book of a million customers takes longer than a page may wait — and says when they were computed. Any
other filters are computed live.

Figures are kept as plain JSON (amounts as text, so not a fen is lost) and read back typed by their columns.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, PortfolioSummary, User
from app.models.base import utcnow
from app.services.analytics.figures import Chart, Column, Figure
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard.portfolio_sections import Section, compute
from app.services.analytics.rights import Reach
from app.services.shared.unit_of_work import unit_of_work

BANK = "bank"
NUMBERS = ("money", "pct", "ratio", "days")  # kept as text, read back as Decimal


def scope_of(reach: Reach) -> str:
    return BANK if reach.branch is None else f"branch:{reach.branch}"


def stored(reach: Reach, filters: Filters, locale: str) -> PortfolioSummary | None:
    """The kept figures for what ``filters`` narrow ``reach`` to, when the filters are the default period's
    (computed today) and no segment; else None."""
    default = Filters.parse({})
    if filters.segment or (filters.date_from, filters.date_to) != (default.date_from, default.date_to):
        return None
    query = select(PortfolioSummary).where(
        PortfolioSummary.scope == scope_of(reach.narrowed(filters.branch)),
        PortfolioSummary.locale == locale,
        PortfolioSummary.date_from == filters.date_from,
        PortfolioSummary.date_to == filters.date_to,
    )
    return db.session.scalar(query)


def refresh() -> int:
    """Compute and keep the default period's dashboard of the whole bank and of each branch whose officers hold
    customers, in each language; returns the rows kept."""
    filters = Filters.parse({})
    held = select(User.branch).join(Customer, Customer.officer_id == User.id).distinct()
    reaches = [Reach(None), *(Reach(b) for b in sorted(db.session.scalars(held)) if b)]
    kept = 0
    with unit_of_work():
        for reach in reaches:
            for locale in current_app.config["LANGUAGES"]:
                with force_locale(locale):
                    started = time.perf_counter()
                    sections = [_section_json(s) for s in compute(reach, filters)]
                    _keep(scope_of(reach), locale, filters, sections, time.perf_counter() - started)
                kept += 1
    return kept


def _keep(scope: str, locale: str, filters: Filters, sections: list, seconds: float) -> None:
    row = db.session.scalar(
        select(PortfolioSummary).where(PortfolioSummary.scope == scope, PortfolioSummary.locale == locale)
    )
    if row is None:
        row = PortfolioSummary(scope=scope, locale=locale)
        db.session.add(row)
    row.date_from, row.date_to, row.sections = filters.date_from, filters.date_to, sections
    row.seconds, row.computed_at = seconds, utcnow()
    db.session.flush()


def sections_of(row: PortfolioSummary) -> list[Section]:
    """The kept sections, their figures typed again."""
    return [Section(s["key"], s["title"], [_figure(f) for f in s["figures"]]) for s in row.sections]


def _section_json(section: Section) -> dict:
    return {"key": section.key, "title": section.title, "figures": [_figure_json(f) for f in section.figures]}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _figure_json(figure: Figure) -> dict:
    return {
        "key": figure.key,
        "title": figure.title,
        "columns": [[c.key, c.title, c.kind] for c in figure.columns],
        "rows": [_plain(row) for row in figure.rows],
        "chart": [figure.chart.kind, figure.chart.label, list(figure.chart.values)],
        "drill": figure.drill,
        "note": figure.note,
        "total": _plain(figure.total) if figure.total else None,
    }


def _typed(row: Mapping[str, Any] | None, columns: tuple[Column, ...]) -> dict | None:
    if row is None:
        return None
    found = dict(row)
    for column in columns:
        if column.kind in NUMBERS and found.get(column.key) is not None:
            found[column.key] = Decimal(found[column.key])
    return found


def _figure(data: dict) -> Figure:
    columns = tuple(Column(*c) for c in data["columns"])
    kind, label, values = data["chart"]
    return Figure(
        key=data["key"],
        title=data["title"],
        columns=columns,
        rows=[_typed(row, columns) or {} for row in data["rows"]],
        chart=Chart(kind, label, tuple(values)),
        drill=data["drill"],
        note=data["note"],
        total=_typed(data["total"], columns),
    )
