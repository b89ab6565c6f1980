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

import numpy as np
import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import BigInteger, cast, func, select

from app.models import Customer, RatingChange
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard.portfolio_book import NO_VALUE, end_of, frame, in_scope, label
from app.services.analytics.rights import Reach
from app.services.monitoring.classification import FIVE_CATEGORIES
from app.services.monitoring.observations import RATINGS

FIELDS = {
    "grade": RATINGS,
    "loan_class": FIVE_CATEGORIES,
}  # what a matrix moves between, in the scale's order
_HISTORY = {"grade": ("grade_before", "grade_after"), "loan_class": ("class_before", "class_after")}
NPL_CLASSES = ("substandard", "doubtful", "loss")
TREND_MONTHS = 120  # the trend's last months at most: a period of 1900-2999 is 13,200 passes over the book


class History:
    """The customers in scope (their state and live limit now) and their changes, read once for a page and
    kept as arrays: each state a code (its place in the field's scale, -1 for none), each limit in fen."""

    def __init__(self, reach: Reach, filters: Filters) -> None:
        scope = in_scope(reach, filters)
        fen = cast(func.round(func.coalesce(Customer.live_limit, 0) * 100), BigInteger)
        now = frame(
            select(Customer.id, Customer.grade, Customer.loan_class, fen).where(scope).order_by(Customer.id),
            ["id", "grade", "loan_class", "cents"],
        )
        self.ids = now["id"].to_numpy(dtype=np.int64)
        self.cents = now["cents"].to_numpy(dtype=np.int64)
        self.now = {field: _codes(now[field], field) for field in FIELDS}
        changes = frame(
            select(
                RatingChange.customer_id,
                RatingChange.changed_at,
                RatingChange.grade_before,
                RatingChange.grade_after,
                RatingChange.class_before,
                RatingChange.class_after,
            )
            .where(RatingChange.customer_id.in_(select(Customer.id).where(scope)))
            .order_by(RatingChange.changed_at, RatingChange.id),
            ["customer_id", "changed_at", "grade_before", "grade_after", "class_before", "class_after"],
        )
        position = np.searchsorted(self.ids, changes["customer_id"].to_numpy(dtype=np.int64))
        changed_at = pd.to_datetime(changes["changed_at"]).to_numpy()
        # A change names both fields; one it did not touch is None before and after (an application rates, it
        # does not classify): for that field the row is no change at all, not a move to "none".
        self.changes: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for field, (before, after) in _HISTORY.items():
            was, became = _codes(changes[before], field), _codes(changes[after], field)
            touched = (was >= 0) | (became >= 0)
            self.changes[field] = (position[touched], changed_at[touched], was[touched], became[touched])

    def codes_at(self, day: date, field: str) -> np.ndarray:
        """Each customer's state code of ``field`` at the close of ``day`` (-1: none then)."""
        state = self.now[field].copy()
        position, changed_at, before, after = self.changes[field]
        if not len(position):
            return state
        done = changed_at <= np.datetime64(end_of(day))
        later = np.flatnonzero(~done)
        first, index = np.unique(position[later], return_index=True)  # the first change after it
        state[first] = before[later][index]
        earlier = np.flatnonzero(done)[::-1]
        last, index = np.unique(position[earlier], return_index=True)  # the last change at or before
        state[last] = after[earlier][index]
        return state

    def states_at(self, day: date, field: str) -> pd.Series:
        """Each customer's ``field`` (grade or loan_class) at the close of ``day`` (None: none then)."""
        values = np.array([*FIELDS[field], None], dtype=object)
        return pd.Series(values[self.codes_at(day, field)], index=self.ids)

    def moved(self, field: str, day_from: date, day_to: date) -> pd.DataFrame:
        """One row per customer: its state at both dates (codes) and its live limit now (fen)."""
        return pd.DataFrame(
            {
                "before": self.codes_at(day_from, field),
                "after": self.codes_at(day_to, field),
                "cents": self.cents,
            },
            index=self.ids,
        )

    def moves(self, field: str, day_from: date, day_to: date) -> pd.DataFrame:
        """``moved`` with the states as values (``NO_VALUE``: none), the customers never rated left out."""
        codes = self.moved(field, day_from, day_to)
        values = np.array([*FIELDS[field], NO_VALUE], dtype=object)
        found = pd.DataFrame(
            {"before": values[codes["before"]], "after": values[codes["after"]]}, index=codes.index
        )
        return found[(codes["before"] >= 0) | (codes["after"] >= 0)]


def _codes(values: pd.Series, field: str) -> np.ndarray:
    """States as their places in the scale (-1: none, or a value the scale does not know)."""
    return pd.Categorical(values, categories=FIELDS[field]).codes.astype(np.int64)


def _scale(field: str) -> tuple[str, ...]:
    return (*FIELDS[field], NO_VALUE)


def _fen(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(Decimal("0.01"))


def matrix(history: History, filters: Filters, field: str, measure: str) -> Figure:
    """The migration matrix of ``field`` from ``filters.date_from`` to ``filters.date_to``: a row per state
    at the start, a column per state at the end, holding customers (``measure`` count) or their live limits
    now (``measure`` amount). The diagonal stayed; right of it (a worse grade or class) moved down. Customers
    with no state at either date (never rated) are left out."""
    moved = history.moved(field, filters.date_from, filters.date_to)
    moved = moved[(moved["before"] >= 0) | (moved["after"] >= 0)]
    cells = moved.groupby(["before", "after"])["cents"].agg(["size", "sum"])
    scale = _scale(field)  # code -1 is the last: none
    kind = "count" if measure == "count" else "money"
    rows = []
    for b, before in enumerate(scale):
        code_b = b if b < len(FIELDS[field]) else -1
        if code_b not in cells.index.get_level_values(0):
            continue
        mine = cells.loc[code_b]
        row: dict = {"label": label(field, before), "drill": {"moved": field, "before": before}}
        for a, after in enumerate(scale):
            code_a = a if a < len(FIELDS[field]) else -1
            found = mine.loc[code_a] if code_a in mine.index else None
            if measure == "count":
                row[after] = int(found["size"]) if found is not None else 0
            else:
                row[after] = _fen(found["sum"]) if found is not None else Decimal("0.00")
        row["total"] = int(mine["size"].sum()) if measure == "count" else _fen(mine["sum"].sum())
        rows.append(row)
    shown = tuple(s for s in scale if any(r[s] for r in rows))
    for row in rows:  # a row holds the columns shown only
        for hidden in set(scale) - set(shown):
            del row[hidden]
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
    """At each month's end: the NPL ratio (次级 + 可疑 + 损失 over the whole book: every customer with a live limit,
    classified or not, as the exposure figures count it) by today's live limits and by count, and the
    special-mention share (关注占比) by limits. Its last point is the book today."""
    npl_codes = [FIVE_CATEGORIES.index(c) for c in NPL_CLASSES]
    mention_code = FIVE_CATEGORIES.index("special_mention")
    in_book = history.cents > 0
    book = int(history.cents.sum())
    rows = []
    ends = month_ends(filters)
    for end in ends[-TREND_MONTHS:]:
        classes = history.codes_at(end, "loan_class")
        npl = np.isin(classes, npl_codes) & in_book
        rows.append(
            {
                "label": end.isoformat(),
                "npl_ratio": share(_fen(history.cents[npl].sum()), _fen(book)),
                "npl_count_ratio": share(int(npl.sum()), int(in_book.sum())),
                "special_mention": share(_fen(history.cents[classes == mention_code].sum()), _fen(book)),
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
        note=_("Classes at each month's end from the recorded changes; amounts are today's live limits.")
        + (
            " " + _("The last %(count)s months of the period only.", count=TREND_MONTHS)
            if len(ends) > TREND_MONTHS
            else ""
        ),
    )
