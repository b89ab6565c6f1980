"""Concentration (集中度): the largest customers and groups against tier-1 capital (一级资本净额, the
administrator's setting the large-exposure checks use), the Herfindahl-Hirschman index (HHI) of the book by
industry and by region, and each industry's and region's share of the live limits against its limit in
``rules/concentration_limits.dmn`` — a share above it is a breach.

HHI = Σ (share in %)², from 0 to 10,000: below 1,500 unconcentrated, 1,500 to 2,500 moderately, above 2,500
highly concentrated (the usual reading). A region is the branch whose officers hold the customers.

``would_breach`` is what the approval authority asks (``concentration_over``): whether a proposal's amount,
added to the whole bank's book, would push its industry or region above its limit. The table reads the size of
the whole bank's book too (a small one has no limit yet), on the dashboard and for the authority alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.engine.dmn import Decision, decision_in_force
from app.extensions import db
from app.models import Customer, Facility, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.admin import settings
from app.services.analytics.figures import Chart, Column, Figure, share
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard.portfolio_book import (
    NO_VALUE,
    Sums,
    label,
    live_facilities,
    money,
)
from app.services.analytics.rights import Reach

LIMITS_FILE, LIMITS = "concentration_limits.dmn", "concentration_limits"
REGIONS = ("industry", "branch")  # the dimensions the limits table knows
TOP = (10, 20)
MODERATE, HIGH = 1500, 2500  # HHI bands


def limits() -> Decision:
    """The concentration limits table in force."""
    return decision_in_force(Path(current_app.config["RULES_DIR"]) / LIMITS_FILE, LIMITS)


def max_share(dimension: str, name: str, book_total: Decimal) -> Decimal:
    """The table's largest share (%) of live limits for ``name`` of ``dimension`` (industry or branch), in a
    bank whose live limits come to ``book_total`` (a small book has none: 100)."""
    output = (
        limits()
        .evaluate({"dimension": dimension, "name": name, "book_total": float(book_total)})
        .single_output
    )
    return Decimal(str(output["max_share_pct"]))


def _capital() -> Decimal | None:
    return settings.amount(settings.TIER1_CAPITAL)


@dataclass(frozen=True)
class Largest:
    """The largest customers or groups by live limits, read once (the job renders them in each language)."""

    of: str  # customer | group
    found: list[tuple[Any, Decimal]]  # (customer id or group, live limits), largest first
    total: Decimal  # the book in scope
    names: dict[Any, str]  # a customer's name by id


def read_largest(reach: Reach, filters: Filters, of: str) -> Largest:
    """The ``TOP[-1]`` largest customers (``of`` customer) or groups (``of`` group) in scope by live limits."""
    book = live_facilities(reach, filters)
    key = book.c.customer_id if of == "customer" else book.c.group
    query = (
        select(key, func.sum(book.c.limit_amount).label("limit"))
        .where(key.is_not(None))
        .group_by(key)
        .order_by(func.sum(book.c.limit_amount).desc(), key)
        .limit(TOP[-1])
    )
    found = [(value, money(limit)) for value, limit in db.session.execute(query)]
    total = money(db.session.scalar(select(func.sum(book.c.limit_amount))))
    names = {}
    if of == "customer" and found:
        ids = [value for value, _limit in found]
        names = dict(db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids))).all())
    return Largest(of, found, total, names)


def largest(read: Largest) -> Figure:
    """The largest customers or groups, each with its share of tier-1 capital and of the book; the first ten's
    and twenty's sums in the note."""
    of, found, total, names = read.of, read.found, read.total, read.names
    capital = _capital()
    rows: list[dict[str, Any]] = []
    for rank, (value, limit) in enumerate(found, 1):
        rows.append(
            {
                "label": names.get(value, "") if of == "customer" else str(value),
                "rank": rank,
                "limit": limit,
                "capital_share": share(limit, capital),
                "book_share": share(limit, total),
                "drill": {"customer": value} if of == "customer" else {"group": value},
            }
        )
    sums = []
    for top in TOP:
        amount = sum((limit for _v, limit in found[:top]), Decimal(0))
        sums.append(
            _(
                "Largest %(top)s: %(amount)s, %(capital)s of tier-1 capital, %(book)s of the book.",
                top=top,
                amount=f"{amount:,.2f}",
                capital=_pct(share(amount, capital)),
                book=_pct(share(amount, total)),
            )
        )
    if capital is None:
        sums.append(_("Tier-1 capital is not set; an administrator sets it under Settings."))
    return Figure(
        key=f"largest_{of}s",
        title=_("Largest customers") if of == "customer" else _("Largest groups"),
        columns=(
            Column("label", _("Customer") if of == "customer" else _("Group"), "text"),
            Column("rank", _("Rank"), "count"),
            Column("limit", _("Live limits"), "money"),
            Column("capital_share", _("Share of tier-1 capital"), "pct"),
            Column("book_share", _("Share of the book"), "pct"),
        ),
        rows=rows,
        chart=Chart("bar", "label", ("capital_share",)),
        drill="portfolio.customers",
        note=" ".join(sums),
    )


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def against_limits(sums: Sums, dimension: str) -> tuple[Figure, Decimal]:
    """Each industry's or region's (``dimension``) share of the live limits against its limit, the breaches
    named; and the dimension's HHI."""
    found = [(value or NO_VALUE, limit) for value, (_n, limit, _used) in sums.by(dimension).items()]
    total = sums.total
    bank_total = _bank_limits(Facility.id.is_not(None))  # the limits are the whole bank's
    hhi = sum(((share(limit, total) or Decimal(0)) ** 2 for _v, limit in found), Decimal(0))
    rows = []
    for value, limit in sorted(found, key=lambda f: -f[1]):
        allowed = max_share(dimension, value, bank_total)
        current = share(limit, total) or Decimal(0)
        rows.append(
            {
                "label": label(dimension, value),
                "limit": limit,
                "share": current,
                "max_share": allowed,
                "headroom": money(total * allowed / 100 - limit),
                "breached": current > allowed,
                "status": _("breach") if current > allowed else _("within"),
                "drill": {dimension: value},
            }
        )
    title = (
        _("Industries against their limits") if dimension == "industry" else _("Regions against their limits")
    )
    figure = Figure(
        key=f"limits_{dimension}",
        title=title,
        columns=(
            Column("label", _("Industry") if dimension == "industry" else _("Region"), "text"),
            Column("limit", _("Live limits"), "money"),
            Column("share", _("Share of limits"), "pct"),
            Column("max_share", _("Limit (share)"), "pct"),
            Column("headroom", _("Headroom"), "money"),
            Column("status", _("Status"), "text"),
        ),
        rows=rows,
        chart=Chart("bar", "label", ("share", "max_share")),
        drill="portfolio.customers",
        note=_(
            "HHI %(hhi)s (%(reading)s). Limits from rules/concentration_limits.dmn.",
            hhi=f"{hhi:.0f}",
            reading=reading(hhi),
        ),
    )
    return figure, hhi


def reading(hhi: Decimal) -> str:
    if hhi < MODERATE:
        return _("unconcentrated")
    if hhi <= HIGH:
        return _("moderately concentrated")
    return _("highly concentrated")


def hhi_figure(values: dict[str, Decimal]) -> Figure:
    """The HHI of each dimension, with its reading."""
    rows = [
        {
            "label": _("Industry") if d == "industry" else _("Region"),
            "hhi": v.quantize(Decimal("1")),
            "reading": reading(v),
        }
        for d, v in values.items()
    ]
    return Figure(
        key="hhi",
        title=_("Herfindahl-Hirschman index (HHI)"),
        columns=(
            Column("label", _("Dimension"), "text"),
            Column("hhi", _("HHI"), "ratio"),
            Column("reading", _("Reading"), "text"),
        ),
        rows=rows,
        chart=Chart("bar", "label", ("hhi",)),
        note=_(
            "Sum of squared shares in percent: below 1,500 unconcentrated, above 2,500 highly concentrated."
        ),
    )


def _bank_limits(condition) -> Decimal:
    query = (
        select(func.sum(Facility.limit_amount))
        .join(Customer, Customer.id == Facility.customer_id)
        .outerjoin(User, User.id == Customer.officer_id)
        .where(Facility.status.in_(LIVE_FACILITY_STATUSES), condition)
    )
    return money(db.session.scalar(query))


def would_breach(industry: str | None, branch: str | None, amount: Decimal | float | int | None) -> bool:
    """Whether ``amount`` more of live limits in ``industry`` (and the region ``branch``) would take either
    above its share of the whole bank's live limits in the limits table."""
    added = Decimal(str(amount or 0))
    if added <= 0:
        return False
    total = _bank_limits(Facility.id.is_not(None)) + added
    for dimension, value, column in (
        ("industry", industry, Customer.industry),
        ("branch", branch, User.branch),
    ):
        if not value:
            continue
        mine = _bank_limits(column == value) + added
        if mine * 100 > max_share(dimension, value, total) * total:
            return True
    return False
