"""What the dashboards' jobs keep (``PortfolioSummary``, ``KpiSummary``): one row per scope and language, the page of
the default period as plain JSON. A page reads its row back only for the default filters of today (the default
period moves with the date, so yesterday's row no longer matches) and without a segment; any other filters are
computed live.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import KpiSummary, PortfolioSummary
from app.services.analytics.filters import Filters

Kept = TypeVar("Kept", PortfolioSummary, KpiSummary)


def stored(model: type[Kept], scope: str, filters: Filters, locale: str) -> Kept | None:
    """The row ``model`` keeps for ``scope`` in ``locale`` when ``filters`` are the default ones of today."""
    default = Filters.parse({})
    if filters.segment or (filters.date_from, filters.date_to) != (default.date_from, default.date_to):
        return None
    return db.session.scalar(
        select(model).where(
            model.scope == scope,
            model.locale == locale,
            model.date_from == filters.date_from,
            model.date_to == filters.date_to,
        )
    )


def keep(
    model: type[Kept],
    scope: str,
    locale: str,
    filters: Filters,
    seconds: float,
    computed_at: datetime,
    **values: Any,
) -> None:
    """Keep ``values`` (the page's JSON columns) as the row of ``scope`` in ``locale``, replacing the one before:
    one statement (an insert that updates the row on conflict), so two runs of a job that overlap never fail on
    the unique scope. ``computed_at``: when the figures were read (what the page says they are as of)."""
    row = {
        "scope": scope,
        "locale": locale,
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "seconds": seconds,
        "computed_at": computed_at,
        **values,
    }
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**row)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["scope", "locale"],
            set_={name: statement.excluded[name] for name in row if name not in ("scope", "locale")},
        )
    )
