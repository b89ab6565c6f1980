"""The KPI pages as last kept by their job (绩效考核; ``kpi_refresh``): each scope's page for the default period in
each language, as plain JSON in ``KpiSummary``. A page reads them back, typed, when its filters are the default
ones for today and name no segment — a whole bank of a million cases takes longer than a page may wait — and
says when they were computed; any other filters are computed live.

Scopes: ``bank``, ``branch:<code>``, ``person:<id>`` (a person's own dashboard) and ``page:<id>`` (the page of
one person's figures and score).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from app.models import KpiSummary
from app.services.analytics import precomputed
from app.services.analytics.figures import Figure, figure_from_json, figure_json
from app.services.analytics.filters import Filters
from app.services.analytics.kpis.kpi_rights import KpiReach
from app.services.analytics.kpis.kpi_scorecard import Line, Score, Weight

BANK = "bank"


def scope_of(reach: KpiReach) -> str:
    """The scope a dashboard over ``reach`` is kept under."""
    if reach.person is not None:
        return f"person:{reach.person}"
    return BANK if reach.branch is None else f"branch:{reach.branch}"


def page_scope(user_id: int) -> str:
    """The scope one person's page is kept under."""
    return f"page:{user_id}"


def stored(scope: str, filters: Filters, locale: str) -> KpiSummary | None:
    """The kept page of ``scope`` when ``filters`` are the default period's (kept today) without a segment."""
    return precomputed.stored(KpiSummary, scope, filters, locale)


def keep(scope: str, locale: str, filters: Filters, page: dict, seconds: float, read_at: datetime) -> None:
    """Keep ``page`` (plain JSON) as the scope's, replacing the one kept before; ``read_at``: when its rows were
    read (what the page says it is as of)."""
    precomputed.keep(KpiSummary, scope, locale, filters, seconds, read_at, page=page)


def figures_json(figures: list[Figure]) -> list[dict]:
    return [figure_json(f) for f in figures]


def figures_of(data: list[dict]) -> list[Figure]:
    return [figure_from_json(f) for f in data]


def score_json(score: Score) -> dict:
    """``score`` as plain JSON (its Decimals as text)."""
    return {
        "total": _text(score.total),
        "lines": [
            {
                "metric": line.weight.metric,
                "weight": str(line.weight.weight),
                "target": str(line.weight.target),
                "direction": line.weight.direction,
                "cap_pct": str(line.weight.cap_pct),
                "rule": line.weight.rule,
                "actual": _text(line.actual),
                "attainment": _text(line.attainment),
                "points": _text(line.points),
            }
            for line in score.lines
        ],
    }


def score_of(data: dict) -> Score:
    """A score kept by ``score_json``, typed again."""
    lines = tuple(
        Line(
            Weight(
                line["metric"],
                Decimal(line["weight"]),
                Decimal(line["target"]),
                line["direction"],
                Decimal(line["cap_pct"]),
                line["rule"],
            ),
            _decimal(line["actual"]),
            _decimal(line["attainment"]),
            _decimal(line["points"]),
        )
        for line in data["lines"]
    )
    return Score(lines, _decimal(data["total"]))


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)
