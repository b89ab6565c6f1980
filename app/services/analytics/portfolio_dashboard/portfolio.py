"""The portfolio dashboard (风险管理驾驶舱) as one page for one reader and one set of filters: its sections of
figures (``portfolio_sections``), read from the summary the job keeps for the default period
(``portfolio_summary``), else computed for the request; ``as_of`` says when they were computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.language import configured_locale
from app.models import Customer, User
from app.models.base import utcnow
from app.services.analytics import rights
from app.services.analytics.figures import Figure
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard import portfolio_summary
from app.services.analytics.portfolio_dashboard.portfolio_sections import SECTIONS, Section, compute

__all__ = ["SECTIONS", "Dashboard", "Section", "dashboard"]


@dataclass(frozen=True)
class Dashboard:
    sections: list[Section]
    as_of: datetime  # when the figures were computed (stored UTC)
    precomputed: bool  # read from the summary the job keeps (else computed for this request)
    whole_bank: bool  # the reader reads the whole bank (else their branch)
    branches: list[str]
    segments: list[str]

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]


def dashboard(user: User, filters: Filters) -> Dashboard:
    """Every figure of the dashboard for ``user`` (their reach) under ``filters``; refused (403) to a role
    that does not read the portfolio. The default period's figures come precomputed when the job has kept
    them for today (``as_of`` then says when), any other filters' live."""
    reach = rights.portfolio_reach(user)
    kept = portfolio_summary.stored(reach, filters, configured_locale())
    if kept is not None:
        sections, as_of, precomputed = portfolio_summary.sections_of(kept), kept.computed_at, True
    else:
        sections, as_of, precomputed = compute(reach, filters), utcnow(), False
    return Dashboard(
        sections=sections,
        as_of=as_of,
        precomputed=precomputed,
        whole_bank=reach.branch is None,
        branches=_branches() if reach.branch is None else [],
        segments=_segments(),
    )


def _branches() -> list[str]:
    return list(db.session.scalars(select(User.branch).distinct().order_by(User.branch)))


def _segments() -> list[str]:
    found = (
        select(Customer.segment).distinct().where(Customer.segment.is_not(None)).order_by(Customer.segment)
    )
    return [s for s in db.session.scalars(found) if s]
