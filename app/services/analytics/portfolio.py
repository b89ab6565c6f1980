"""The portfolio dashboard (风险管理驾驶舱) as one page: its sections of figures, computed for one reader and one
set of filters — exposure and quality, migration and the NPL trend, concentration, warnings. Each section's
figures come from their own module (``portfolio_exposure``, ``portfolio_migration``,
``portfolio_concentration``, ``portfolio_warnings``); this module only puts them in order.

Figures are computed live from the system's own tables when the page is asked for (``as_of``: that moment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, User
from app.models.base import utcnow
from app.services.analytics import portfolio_concentration as concentration
from app.services.analytics import portfolio_exposure as exposure
from app.services.analytics import portfolio_migration as migration
from app.services.analytics import portfolio_warnings as warnings
from app.services.analytics import rights
from app.services.analytics.figures import Figure
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_book import Sums

SECTIONS = ("exposure", "migration", "concentration", "warnings")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: list[Figure]


@dataclass(frozen=True)
class Dashboard:
    sections: list[Section]
    as_of: datetime  # when the figures were computed (stored UTC)
    whole_bank: bool  # the reader reads the whole bank (else their branch)
    branches: list[str]
    segments: list[str]

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.sections for f in s.figures]


def dashboard(user: User, filters: Filters) -> Dashboard:
    """Every figure of the dashboard for ``user`` (their reach) under ``filters``; refused (403) to a role
    that does not read the portfolio."""
    reach = rights.portfolio_reach(user)
    sums = Sums(reach, filters, exposure.TOP_GROUPS)
    history = migration.History(reach, filters)
    limits = {d: concentration.against_limits(sums, d) for d in concentration.REGIONS}
    frame = warnings.read(reach, filters)
    sections = [
        Section(
            "exposure",
            _("Exposure and quality"),
            [exposure.quality(sums), migration.npl_trend(history, filters)]
            + [exposure.by(sums, d) for d in exposure.DIMENSION_KEYS],
        ),
        Section(
            "migration",
            _("Migration matrices"),
            [migration.matrix(history, filters, f, m) for f in migration.FIELDS for m in ("count", "amount")],
        ),
        Section(
            "concentration",
            _("Concentration"),
            [
                concentration.largest(reach, filters, "customer"),
                concentration.largest(reach, filters, "group"),
                concentration.hhi_figure({d: hhi for d, (_f, hhi) in limits.items()}),
                *(figure for figure, _h in limits.values()),
            ],
        ),
        Section(
            "warnings",
            _("Early warnings"),
            [warnings.by_signal(frame), warnings.by_month(frame, filters), warnings.closing(frame)],
        ),
    ]
    return Dashboard(
        sections=sections,
        as_of=utcnow(),
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
