"""The part of the book a portfolio figure reads (风险管理驾驶舱): the customers in the reader's reach, narrowed by
the page's filters (branch, segment), and the dimensions every figure groups by.

A customer's branch is its officer's (``User.branch``). A facility's product is its kind by term — a term loan
(中长期贷款) above twelve months, else working capital (流动资金贷款) — since facilities carry no product type of
their own (``inspections.schedule.product_of`` reads it the same way). "Used" is a facility's limit times the
customer's latest observed utilisation (``Observation.utilization_pct``) on or before the period's end; a
customer never observed counts nothing used.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, case, func, literal, select

from app.extensions import db
from app.language import N_
from app.localtime import to_utc
from app.models import Customer, Facility, Observation, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.analytics.filters import Filters
from app.services.analytics.rights import Reach
from app.services.customers.inspections.schedule import TERM_LOAN_MONTHS

NO_VALUE = "none"  # a customer without the value grouped by (no grade, no class, no group)
CENT = Decimal("0.01")

PRODUCT = case(
    (Facility.term_months > TERM_LOAN_MONTHS, literal("term_loan")), else_=literal("working_capital")
)
# what each dimension groups by (over live facilities joined to their customer and its officer)
DIMENSIONS: dict[str, Any] = {
    "grade": Customer.grade,
    "loan_class": Customer.loan_class,
    "segment": Customer.segment,
    "industry": Customer.industry,
    "branch": User.branch,
    "product": PRODUCT,
    "group": Customer.group_name,
}


def in_scope(reach: Reach, filters: Filters) -> ColumnElement[bool]:
    """The customers a figure counts: in the reader's reach, in the filtered branch and segment."""
    scope = reach.narrowed(filters.branch)
    conditions = [scope.customers()]
    if filters.segment:
        conditions.append(Customer.segment == filters.segment)
    return and_(*conditions)


def end_of(day: date) -> datetime:
    """The stored (UTC) instant a Beijing date ends: a change recorded that day counts at its close."""
    return to_utc(datetime.combine(day + timedelta(days=1), time.min))


def latest_utilisation(on: date) -> Any:
    """Each customer's latest observed utilisation (%) on or before ``on``, as a subquery (customer_id, pct)."""
    ranked = (
        select(
            Observation.customer_id,
            Observation.utilization_pct.label("pct"),
            func.row_number()
            .over(
                partition_by=Observation.customer_id,
                order_by=(Observation.observed_on.desc(), Observation.id.desc()),
            )
            .label("rank"),
        )
        .where(Observation.utilization_pct.is_not(None), Observation.observed_on <= on)
        .subquery()
    )
    return select(ranked.c.customer_id, ranked.c.pct).where(ranked.c.rank == 1).subquery()


def live_facilities(reach: Reach, filters: Filters) -> Any:
    """The live facilities of the customers in scope as a subquery: ``customer_id``, ``limit_amount``,
    ``used`` and a column per dimension (``DIMENSIONS``), for figures to group and sum."""
    utilisation = latest_utilisation(filters.date_to)
    return (
        select(
            Facility.customer_id,
            Facility.limit_amount,
            (Facility.limit_amount * func.coalesce(utilisation.c.pct, 0) / 100).label("used"),
            *(column.label(name) for name, column in DIMENSIONS.items()),
        )
        .select_from(Facility)
        .join(Customer, Customer.id == Facility.customer_id)
        .outerjoin(User, User.id == Customer.officer_id)
        .outerjoin(utilisation, utilisation.c.customer_id == Customer.id)
        .where(Facility.status.in_(LIVE_FACILITY_STATUSES), in_scope(reach, filters))
        .subquery()
    )


def frame(query: Any, columns: list[str]) -> pd.DataFrame:
    """The rows of ``query`` as a frame with ``columns``, built column by column (rows one by one are slow)."""
    rows = db.session.execute(query).all()
    return pd.DataFrame(
        {c: list(v) for c, v in zip(columns, zip(*rows, strict=True), strict=True)}
        if rows
        else {c: [] for c in columns}
    )


def money(value: Any) -> Decimal:
    """A summed amount as CNY to the fen (SQLite sums money as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


PRODUCTS = (N_("working_capital"), N_("term_loan"))
TRANSLATED = ("segment", "industry", "branch", "product")  # stored as codes the vocabulary translates


def label(dimension: str, value: str | None) -> str:
    """A dimension's value as the reader reads it (codes translated; grades and group names as they are)."""
    if value is None or value == NO_VALUE:
        return _("(none)")
    if dimension == "loan_class":
        return _(f"class_{value}")
    if dimension in TRANSLATED:
        return _(value)
    return str(value)


CUSTOMER_DIMENSIONS = ("grade", "loan_class", "segment", "industry", "branch")  # one value per customer
Summed = dict[str, tuple[int, Decimal, Decimal]]  # value → customers, live limits, used


class Sums:
    """The live book in scope summed once for a page, in three GROUP BYs: by every customer-level dimension at
    once (a customer falls in one cell, so a dimension's figures are sums of cells), by product (a customer
    may hold both kinds), and the ``top_groups`` largest groups."""

    def __init__(self, reach: Reach, filters: Filters, top_groups: int = 20) -> None:
        book = live_facilities(reach, filters)
        figures = (
            func.count(func.distinct(book.c.customer_id)),
            func.sum(book.c.limit_amount),
            func.sum(book.c.used),
        )
        keys = [book.c[d] for d in CUSTOMER_DIMENSIONS]
        self.cells = [
            (tuple(row[: len(keys)]), int(row[-3]), money(row[-2]), money(row[-1]))
            for row in db.session.execute(select(*keys, *figures).group_by(*keys))
        ]
        self.products: Summed = {
            value: (int(n), money(limit), money(used))
            for value, n, limit, used in db.session.execute(
                select(book.c.product, *figures).group_by(book.c.product)
            )
        }
        largest = (
            select(book.c.group, *figures)
            .where(book.c.group.is_not(None))
            .group_by(book.c.group)
            .order_by(func.sum(book.c.limit_amount).desc(), book.c.group)
            .limit(top_groups)
        )
        self.groups: Summed = {
            value: (int(n), money(limit), money(used))
            for value, n, limit, used in db.session.execute(largest)
        }
        self.total = sum((limit for _k, _n, limit, _u in self.cells), Decimal(0))

    def by(self, dimension: str) -> Summed:
        """Customers, limits and used amounts per value of ``dimension`` (None: customers without one)."""
        if dimension == "product":
            return self.products
        if dimension == "group":
            return self.groups
        index = CUSTOMER_DIMENSIONS.index(dimension)
        found: dict = {}
        for key, n, limit, used in self.cells:
            was = found.get(key[index], (0, Decimal(0), Decimal(0)))
            found[key[index]] = (was[0] + n, was[1] + limit, was[2] + used)
        return found
