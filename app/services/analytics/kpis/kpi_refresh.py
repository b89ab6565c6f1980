"""The KPI pages precomputed (绩效考核): a job (``app.jobs.analytics.precompute_kpis``, on beat) reads the whole
bank's frames of the default period and the one before once (``kpi_bank``), then computes from them, in each
language, the dashboard of the whole bank, of each branch and of each officer (their own), and each officer's and
approver's page, and keeps them (``kpi_kept``).
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.models.base import utcnow
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_kept, kpi_pages
from app.services.analytics.kpis.kpi_bank import BankFrames
from app.services.analytics.kpis.kpi_rights import PEOPLE_ROLES, KpiReach, kpi_reach
from app.services.analytics.rights import CREDIT_USERS
from app.services.shared.unit_of_work import unit_of_work


def refresh() -> int:
    """Compute and keep every scope's page of the default period in each language; returns the rows kept."""
    filters = Filters.parse({})
    started, read_at = time.perf_counter(), utcnow()
    bank = BankFrames.read(filters)
    read_seconds = time.perf_counter() - started
    staff = list(db.session.scalars(select(User).where(User.role.in_(CREDIT_USERS)).order_by(User.id)))
    people = [u for u in staff if u.role in PEOPLE_ROLES]
    reaches = [
        KpiReach(),
        *(KpiReach(branch=b) for b in sorted({u.branch for u in people if u.branch})),
        *(reach for reach in (kpi_reach(u) for u in staff) if reach.person is not None),
    ]
    kept = 0
    with unit_of_work():
        for locale in current_app.config["LANGUAGES"]:
            with force_locale(locale):
                for reach in reaches:
                    began = time.perf_counter()
                    figures = kpi_pages.dashboard_figures(reach, filters, bank)
                    page: dict[str, Any] = {"figures": kpi_kept.figures_json(figures)}
                    seconds = read_seconds + time.perf_counter() - began
                    kpi_kept.keep(kpi_kept.scope_of(reach), locale, filters, page, seconds, read_at)
                    kept += 1
                for person in people:
                    began = time.perf_counter()
                    figure, score, before = kpi_pages.person_figures(person, filters, bank)
                    page = {
                        "role": person.role,  # a page kept for another role than the person's now is not read
                        "figure": kpi_kept.figures_json([figure])[0],
                        "score": kpi_kept.score_json(score),
                        "score_before": kpi_kept.score_json(before),
                    }
                    seconds = read_seconds + time.perf_counter() - began
                    kpi_kept.keep(kpi_kept.page_scope(person.id), locale, filters, page, seconds, read_at)
                    kept += 1
    return kept
