"""The portfolio dashboard's sections (风险管理驾驶舱), computed live from the system's own tables: exposure and
quality, migration and the NPL trend, concentration, warnings. Each section's figures come from their own module
(``portfolio_exposure``, ``portfolio_migration``, ``portfolio_concentration``, ``portfolio_warnings``); this
module only puts them in order."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from flask_babel import gettext as _

from app.services.analytics.figures import Figure
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard import portfolio_concentration as concentration
from app.services.analytics.portfolio_dashboard import portfolio_exposure as exposure
from app.services.analytics.portfolio_dashboard import portfolio_migration as migration
from app.services.analytics.portfolio_dashboard import portfolio_warnings as warnings
from app.services.analytics.portfolio_dashboard.portfolio_book import Sums
from app.services.analytics.rights import Reach

SECTIONS = ("exposure", "migration", "concentration", "warnings")


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: list[Figure]


@dataclass(frozen=True)
class Reading:
    """What the dashboard reads from the tables for one scope, whatever the language it is shown in."""

    sums: Sums
    history: migration.History
    largest: tuple[concentration.Largest, concentration.Largest]  # customers, groups
    warnings: pd.DataFrame


def read(reach: Reach, filters: Filters) -> Reading:
    return Reading(
        Sums(reach, filters, exposure.TOP_GROUPS),
        migration.History(reach, filters),
        (
            concentration.read_largest(reach, filters, "customer"),
            concentration.read_largest(reach, filters, "group"),
        ),
        warnings.read(reach, filters),
    )


def compute(reach: Reach, filters: Filters, reading: Reading | None = None) -> list[Section]:
    """Every figure of the dashboard over ``reach`` under ``filters`` in the reader's language, from ``reading``
    (read once for every language by the job that keeps them), else read now from the tables."""
    found = reading or read(reach, filters)
    sums, history, frame = found.sums, found.history, found.warnings
    limits = {d: concentration.against_limits(sums, d) for d in concentration.REGIONS}
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
                concentration.largest(found.largest[0]),
                concentration.largest(found.largest[1]),
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
    return sections
