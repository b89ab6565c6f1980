"""My customers (我的客户): an officer's book, and for a manager their branch's or the bank's, with filters,
totals and a page of rows.

Who sees whose customers is ``relationship_rights``: an officer their own; a branch's approver the customers
of the branch's officers, a risk manager everyone's, with a column naming each row's officer and a filter by
officer or team. Everything is set-based SQL that reads the customers of the scope once:

- **totals** (how many, their live limit in CNY, both by five-category class) are one grouped query over the
  filtered customers; a customer's live limit, the sum of its active facilities, is kept on the customer by the
  database (``app/models/customers/live_limit.py``), so an officer's book is counted and summed from
  ``ix_customer_officer_name`` alone on PostgreSQL (the index carries what the filters and totals read);
- **a page**: its customers' ids in order, by name (walking ``ix_customer_officer_name`` for an officer), live
  limit or grade, then the 50 customers and what their rows show beside (next maturity, open warnings,
  officer), a query each.

No query runs per row, and the count is the totals' own (no second pass over the book). The filters on an
open warning and on a maturity probe the customers' warnings and facilities, one index lookup per customer of
the book.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import lazyload

from app.errors import InvalidInput
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, EarlyWarning, Facility, User
from app.services.customers.facilities import maturity
from app.services.customers.relationship.book_filter import UNCLASSIFIED, BookFilter, grade_rank
from app.services.customers.relationship.relationship_rights import (
    Scope,
    by_team,
    in_scope,
    officers_managed,
    scope_of,
)

PER_PAGE = 50


@dataclass(frozen=True)
class BookRow:
    customer: Customer
    officer: User | None
    live_limit: Decimal
    open_warnings: int = 0
    next_maturity: date | None = None


@dataclass(frozen=True)
class ClassTotal:
    loan_class: str  # a five-category class, or "unclassified"
    customers: int
    live_limit: Decimal


@dataclass
class Book:
    scope: Scope
    filters: BookFilter
    rows: list[BookRow]
    total: int
    live_limit: Decimal
    by_class: list[ClassTotal]
    page: int
    per_page: int = PER_PAGE
    errors: dict[str, str] = field(default_factory=dict)
    officers: list[User] = field(default_factory=list)  # a manager's: whose customers they see
    teams: list[str] = field(default_factory=list)
    targets: list[User] = field(default_factory=list)  # a manager's: active officers a customer may go to

    @property
    def target_groups(self) -> list[tuple[str | None, list[User]]]:
        return by_team(self.targets)

    @property
    def pages(self) -> int:
        return max(1, (self.total + self.per_page - 1) // self.per_page)


def page(
    user: User, args: Mapping[str, str], page: int = 1, *, strict: bool = False, per_page: int = PER_PAGE
) -> Book:
    """The book ``user`` sees (refused for a role that neither holds nor manages customers), narrowed by the
    filters ``args`` hold. A filter that cannot be read is left out and named in ``errors`` (``strict``:
    refused as ``InvalidInput`` instead, for the API)."""
    scope = scope_of(user)
    filters, errors = BookFilter.read(args)
    officers = officers_managed(user) if scope.managed else []
    if filters.officer is not None and filters.officer not in {o.id for o in officers}:
        errors["officer"] = _("not one of your officers")
    teams = sorted({o.team for o in officers if o.team})
    if filters.team is not None and filters.team not in teams:
        errors["team"] = _("not one of your teams")
    if errors:
        if strict:
            raise InvalidInput(_("The filter cannot be applied."), errors)
        filters = BookFilter.read({k: v for k, v in args.items() if k not in errors})[0]
    where = [in_scope(user, scope), *_holders(filters, officers), *filters.conditions(local_today())]
    total, limit, by_class = _totals(where)
    rows = _rows(where, filters.sort, page, per_page) if total else []
    targets = [o for o in officers if o.active]
    return Book(
        scope, filters, rows, total, limit, by_class, page, per_page, errors, officers, teams, targets
    )


def _holders(filters: BookFilter, officers: list[User]) -> list[ColumnElement[bool]]:
    if filters.officer is not None:
        return [Customer.officer_id == filters.officer]
    if filters.team is not None:
        return [Customer.officer_id.in_([o.id for o in officers if o.team == filters.team])]
    return []


def _totals(where: list) -> tuple[int, Decimal, list[ClassTotal]]:
    """How many customers and their live limit, in all and by class: one grouped query."""
    grouped = db.session.execute(
        select(Customer.loan_class, func.count(), func.sum(Customer.live_limit))
        .where(*where)
        .group_by(Customer.loan_class)
    ).all()
    found = {cls: (count, amount) for cls, count, amount in grouped}
    order = ("normal", "special_mention", "substandard", "doubtful", "loss", None)
    ordered = [
        ClassTotal(c or UNCLASSIFIED, found[c][0], Decimal(str(found[c][1] or 0)))
        for c in order
        if c in found
    ]
    return sum(c.customers for c in ordered), sum((c.live_limit for c in ordered), Decimal(0)), ordered


def _rows(where: list, sort: str, page: int, per_page: int) -> list[BookRow]:
    """The page: its customers' ids in order (narrow rows, from the index where it can), then the customers,
    their next maturities, their open warnings and their officers, a query each."""
    orders: dict[str, tuple[ColumnElement[Any], ...]] = {
        "name": (),
        "limit": (Customer.live_limit.desc(),),
        "grade": (grade_rank(),),
    }
    order = orders[sort]
    chosen = (
        db.session.execute(
            select(Customer.id)
            .where(*where)
            .order_by(*order, Customer.name, Customer.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        .scalars()
        .all()
    )
    if not chosen:
        return []
    found = {
        c.id: c
        for c in db.session.scalars(
            select(Customer).where(Customer.id.in_(chosen)).execution_options(populate_existing=True)
        )
    }  # the live limit now
    when = maturity.matures_on()
    nearest = dict(
        db.session.execute(
            select(Facility.customer_id, func.min(when))
            .where(maturity.is_live(), Facility.customer_id.in_(chosen), when >= local_today())
            .group_by(Facility.customer_id)
        ).all()
    )
    warnings = dict(
        db.session.execute(
            select(EarlyWarning.customer_id, func.count())
            .where(EarlyWarning.status == "open", EarlyWarning.customer_id.in_(chosen))
            .group_by(EarlyWarning.customer_id)
        ).all()
    )
    holders: dict[int | None, User] = {  # looked up by officer_id, which may be None
        u.id: u
        for u in db.session.scalars(
            select(User)
            .options(lazyload(User.groups))
            .where(User.id.in_({c.officer_id for c in found.values() if c.officer_id}))
        )
    }
    return [
        BookRow(
            found[cid],
            holders.get(found[cid].officer_id),
            found[cid].live_limit or Decimal(0),
            warnings.get(cid, 0),
            _as_date(nearest.get(cid)),
        )
        for cid in chosen
    ]


def _as_date(value) -> date | None:
    """SQLite's date arithmetic answers text (``2027-03-31``)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
