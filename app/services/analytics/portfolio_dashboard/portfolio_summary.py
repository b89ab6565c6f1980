"""The portfolio dashboard precomputed (风险管理驾驶舱): a job (``app.jobs.analytics.precompute_portfolio``, on
beat) computes the default period's figures for the whole bank and for each branch, in each language, and keeps
them in ``PortfolioSummary``; the page reads them when its filters are the default ones for today — a whole
bank's book of a million customers takes longer than a page may wait — and says when they were computed. Any
other filters are computed live.

Figures are kept as plain JSON (amounts as text, so not a fen is lost) and read back typed by their columns.
"""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, PortfolioSummary, User
from app.models.base import utcnow
from app.services.analytics import precomputed
from app.services.analytics.figures import figure_from_json, figure_json
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard.portfolio_sections import Section, compute, read
from app.services.analytics.rights import Reach
from app.services.shared.unit_of_work import unit_of_work

BANK = "bank"


def scope_of(reach: Reach) -> str:
    return BANK if reach.branch is None else f"branch:{reach.branch}"


def stored(reach: Reach, filters: Filters, locale: str) -> PortfolioSummary | None:
    """The kept figures for what ``filters`` narrow ``reach`` to, when the filters are the default period's
    (computed today) and no segment; else None."""
    return precomputed.stored(PortfolioSummary, scope_of(reach.narrowed(filters.branch)), filters, locale)


def refresh() -> int:
    """Compute and keep the default period's dashboard of the whole bank and of each branch whose officers hold
    customers, in each language; returns the rows kept."""
    filters = Filters.parse({})
    held = select(User.branch).join(Customer, Customer.officer_id == User.id).distinct()
    reaches = [Reach(None), *(Reach(b) for b in sorted(db.session.scalars(held)) if b)]
    kept = 0
    with unit_of_work():
        for reach in reaches:
            started, read_at = time.perf_counter(), utcnow()
            reading = read(reach, filters)  # once for both languages
            read_seconds = time.perf_counter() - started
            for locale in current_app.config["LANGUAGES"]:
                with force_locale(locale):
                    began = time.perf_counter()
                    sections = [_section_json(s) for s in compute(reach, filters, reading)]
                    seconds = read_seconds + time.perf_counter() - began
                    precomputed.keep(
                        PortfolioSummary,
                        scope_of(reach),
                        locale,
                        filters,
                        seconds,
                        read_at,
                        sections=sections,
                    )
                kept += 1
    return kept


def sections_of(row: PortfolioSummary) -> list[Section]:
    """The kept sections, their figures typed again."""
    return [Section(s["key"], s["title"], [figure_from_json(f) for f in s["figures"]]) for s in row.sections]


def _section_json(section: Section) -> dict:
    return {"key": section.key, "title": section.title, "figures": [figure_json(f) for f in section.figures]}
