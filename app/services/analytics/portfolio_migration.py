"""The book through time, from the history the system keeps (``RatingChange``: every change of a customer's
grade or five-category class, with before and after): migration matrices (迁徙矩阵) of grades and of classes
between two dates, and the NPL ratio's trend (不良率走势) month by month.

A customer's state at an instant is the ``after`` of its last change at or before it; before its first change,
that change's ``before`` (None: not yet rated or classified — outside the book then); never changed, its state
now. Amounts are the customers' live limits now (the history keeps grades and classes, not past limits), so a
matrix reads "how much of today's book moved from where to where".
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, RatingChange
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_book import NO_VALUE, end_of, in_scope, label, money
from app.services.analytics.rights import Reach
from app.services.monitoring.classification import FIVE_CATEGORIES
from app.services.monitoring.observations import RATINGS

FIELDS = {
    "grade": RATINGS,
    "loan_class": FIVE_CATEGORIES,
}  # what a matrix moves between, in the scale's order
_HISTORY = {"grade": ("grade_before", "grade_after"), "loan_class": ("class_before", "class_after")}
NPL_CLASSES = ("substandard", "doubtful", "loss")


class History:
    """The customers in scope (their state and live limit now) and their changes, read once for a page."""

    def __init__(self, reach: Reach, filters: Filters) -> None:
        scope = in_scope(reach, filters)
        self.customers = pd.DataFrame(
            db.session.execute(
                select(Customer.id, Customer.grade, Customer.loan_class, Customer.live_limit).where(scope)
            ).all(),
            columns=["id", "grade", "loan_class", "live_limit"],
        ).set_index("id")
        in_book = select(Customer.id).where(scope)
        self.changes = pd.DataFrame(
            db.session.execute(
                select(
                    RatingChange.customer_id,
                    RatingChange.changed_at,
                    RatingChange.grade_before,
                    RatingChange.grade_after,
                    RatingChange.class_before,
                    RatingChange.class_after,
                )
                .where(RatingChange.customer_id.in_(in_book))
                .order_by(RatingChange.changed_at, RatingChange.id)
            ).all(),
            columns=[
                "customer_id",
                "changed_at",
                "grade_before",
                "grade_after",
                "class_before",
                "class_after",
            ],
        )

    def states_at(self, day: date, field: str) -> pd.Series:
        """Each customer's ``field`` (grade or loan_class) at the close of ``day`` (None: none then)."""
        before, after = _HISTORY[field]
        state = self.customers[field].astype(object).copy()
        if self.changes.empty:
            return state
        instant = pd.Timestamp(end_of(day))
        done = self.changes["changed_at"] <= instant
        later = self.changes[~done].groupby("customer_id")[before].first()
        last = self.changes[done].groupby("customer_id")[after].last()
        state.loc[later.index] = later.astype(object).values
        state.loc[last.index] = last.astype(object).values
        return state.where(state.notna(), None)

    def moved(self, field: str, day_from: date, day_to: date) -> pd.DataFrame:
        """One row per customer: its state at both dates and its live limit now."""
        frame = pd.DataFrame(
            {
                "before": self.states_at(day_from, field).fillna(NO_VALUE),
                "after": self.states_at(day_to, field).fillna(NO_VALUE),
                "limit": self.customers["live_limit"].map(lambda v: Decimal(str(v or 0))),
            }
        )
        return frame


def _scale(field: str) -> tuple[str, ...]:
    return (*FIELDS[field], NO_VALUE)


def matrix(history: History, filters: Filters, field: str, measure: str) -> Figure:
    """The migration matrix of ``field`` from ``filters.date_from`` to ``filters.date_to``: a row per state
    at the start, a column per state at the end, holding customers (``measure`` count) or their live limits
    now (``measure`` amount). The diagonal stayed; right of it (a worse grade or class) moved down. Customers
    with no state at either date (never rated) are left out."""
    moved = history.moved(field, filters.date_from, filters.date_to)
    scale = _scale(field)
    kind = "count" if measure == "count" else "money"
    rows = []
    for before in scale:
        mine = moved[(moved["before"] == before) & ((moved["after"] != NO_VALUE) | (before != NO_VALUE))]
        if mine.empty:
            continue
        row: dict = {"label": label(field, before), "drill": {"moved": field, "before": before}}
        for after in scale:
            cell = mine[mine["after"] == after]
            row[after] = len(cell) if measure == "count" else money(sum(cell["limit"], Decimal(0)))
        row["total"] = len(mine) if measure == "count" else money(sum(mine["limit"], Decimal(0)))
        rows.append(row)
    shown = tuple(s for s in scale if any(r[s] for r in rows))
    what = _("Grade") if field == "grade" else _("Five-category class")
    title = (
        _("%(what)s migration: customers", what=what)
        if measure == "count"
        else _("%(what)s migration: live limits", what=what)
    )
    return Figure(
        key=f"migration_{field}_{measure}",
        title=title,
        columns=(
            Column(
                "label", _("From %(day)s \\ to %(end)s", day=filters.date_from, end=filters.date_to), "text"
            ),
            *(Column(s, label(field, s), kind) for s in shown),
            Column("total", _("Total"), kind),
        ),
        rows=rows,
        chart=Chart("stacked", "label", shown) if rows else Chart("none", "", ()),
        drill="portfolio.customers",
        note=_(
            "Rows: the state at the start; columns: the state at the end. Amounts are today's live limits."
        ),
    )


def month_ends(filters: Filters) -> list[date]:
    """The last day of each month in the period (the period's own last day for its last month)."""
    ends = []
    day = filters.date_from
    while day <= filters.date_to:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        ends.append(min(following - timedelta(days=1), filters.date_to))
        day = following
    return ends


def npl_trend(history: History, filters: Filters) -> Figure:
    """At each month's end: the NPL ratio (次级 + 可疑 + 损失 over all classified customers) by today's live
    limits and by count, and the special-mention share (关注占比) by limits."""
    limits = history.customers["live_limit"].map(lambda v: Decimal(str(v or 0)))
    rows = []
    for end in month_ends(filters):
        classes = history.states_at(end, "loan_class")
        classified = classes.notna()
        npl = classes.isin(NPL_CLASSES)
        mention = classes == "special_mention"
        book = sum(limits[classified], Decimal(0))
        rows.append(
            {
                "label": end.isoformat(),
                "npl_ratio": share(sum(limits[npl], Decimal(0)), book),
                "npl_count_ratio": share(int(npl.sum()), int(classified.sum())),
                "special_mention": share(sum(limits[mention], Decimal(0)), book),
                "npl_customers": int(npl.sum()),
                "drill": {"loan_class": "npl", "as_of": end.isoformat()},
            }
        )
    return Figure(
        key="npl_trend",
        title=_("NPL ratio and special-mention share by month"),
        columns=(
            Column("label", _("Month end"), "text"),
            Column("npl_ratio", _("NPL ratio (by limits)"), "pct"),
            Column("npl_count_ratio", _("NPL ratio (by customers)"), "pct"),
            Column("special_mention", _("Special-mention share"), "pct"),
            Column("npl_customers", _("Non-performing customers"), "count"),
        ),
        rows=rows,
        chart=Chart("line", "label", ("npl_ratio", "npl_count_ratio", "special_mention")),
        drill="portfolio.customers",
        note=_("Classes at each month's end from the recorded changes; amounts are today's live limits."),
    )
