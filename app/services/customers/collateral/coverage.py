"""What the collateral register secures: per facility, the value after haircut of the active items linked to it,
its loan-to-value and its coverage.

    secured(f)  = Σ over the active items linked to f of  appraised value × (1 − haircut) × share / 100
    LTV(f)      = limit(f) / secured(f)          (shown as a percentage; above 100% the facility is short)
    coverage(f) = secured(f) / limit(f)          (below 1.0 the warning rules raise ``collateral_shortfall``)

``of_customer`` reads one customer's facilities for its page (by customer, on indexes); ``book_frame`` reads the
whole book in two queries for the portfolio check (``monitoring.portfolio_inputs``): the warning rules see, for a
customer whose facilities the register secures, the lowest coverage of its secured facilities (one facility short
is enough), and the register's secured value as the evidence of it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.extensions import db
from app.localtime import local_today
from app.models import Collateral, CollateralLink, Facility, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.customers.master import customers

CENT = Decimal("0.01")
INSURANCE_NOTICE_DAYS = 30  # insurance expiring within this many days is flagged


def secured_by(item: Collateral, share: Decimal) -> Decimal:
    """What ``share`` percent of an item secures: its value after the haircut times the share."""
    return secured_of(item.appraised_value, item.haircut, share)


def secured_of(value: Decimal, haircut: Decimal, share: Decimal) -> Decimal:
    """``share`` percent of ``value`` after ``haircut``, to the cent: the one computation the page and the warning
    rules share (a facility covered exactly on the page is covered exactly for the rules)."""
    return (Decimal(value) * (1 - Decimal(haircut)) * Decimal(share) / 100).quantize(CENT)


@dataclass
class FacilityCover:
    """One live facility and the collateral securing it."""

    facility: Facility
    pledges: list[tuple[Collateral, Decimal, Decimal]] = field(default_factory=list)  # item, share %, secured

    @property
    def secured(self) -> Decimal:
        return sum((secured for _i, _s, secured in self.pledges), Decimal(0))

    @property
    def ltv(self) -> Decimal | None:
        """Limit over the secured value (a fraction: 1.25 reads 125%); None when nothing secures it."""
        return self.facility.limit_amount / self.secured if self.secured else None

    @property
    def coverage(self) -> Decimal | None:
        """Secured value over the limit (a multiple); None for a facility without a limit."""
        return self.secured / self.facility.limit_amount if self.facility.limit_amount else None

    @property
    def short(self) -> bool:
        """Secured by collateral worth less than its limit (what the warning rules flag)."""
        return bool(self.pledges) and self.coverage is not None and self.coverage < 1


def insurance_state(item: Collateral, today: date) -> str | None:
    """``expired``, ``expiring`` (within ``INSURANCE_NOTICE_DAYS``), ``insured``, or None when not insured."""
    if item.insurance_expires_on is None:
        return None
    if item.insurance_expires_on < today:
        return "expired"
    if (item.insurance_expires_on - today).days <= INSURANCE_NOTICE_DAYS:
        return "expiring"
    return "insured"


@dataclass
class CustomerCollateral:
    """A customer's collateral (active first, then released) and each of its live facilities' cover."""

    items: list[Collateral]
    covers: list[FacilityCover]
    today: date

    @property
    def active(self) -> list[Collateral]:
        return [i for i in self.items if i.status == "active"]

    @property
    def value_after_haircut(self) -> Decimal:
        return sum((i.value_after_haircut for i in self.active), Decimal(0))

    @property
    def shortfalls(self) -> list[FacilityCover]:
        return [c for c in self.covers if c.short]

    def insurance(self, item: Collateral) -> str | None:
        return insurance_state(item, self.today)

    def due(self, item: Collateral) -> bool:
        """Its revaluation has fallen due (started or not)."""
        return item.status == "active" and item.next_revaluation_on <= self.today


def of_customer(customer_id: int) -> CustomerCollateral:
    """The customer's items and the cover of each of its live facilities (three reads by customer)."""
    items = list(
        db.session.scalars(
            select(Collateral)
            .options(selectinload(Collateral.links), joinedload(Collateral.revaluation_case))
            .where(Collateral.customer_id == customer_id)
            .order_by(Collateral.status, Collateral.id)
        )
    )
    facilities = db.session.scalars(
        select(Facility)
        .where(Facility.customer_id == customer_id, Facility.status.in_(LIVE_FACILITY_STATUSES))
        .order_by(Facility.id.desc())
    )
    covers = {f.id: FacilityCover(f) for f in facilities}
    for item in items:
        if item.status != "active":
            continue
        for link in item.links:
            if link.facility_id in covers:
                covers[link.facility_id].pledges.append((item, link.share, secured_by(item, link.share)))
    return CustomerCollateral(items, list(covers.values()), local_today())


def of_readable(user: User, customer_id: int) -> CustomerCollateral:
    """``of_customer`` for a user who may read the customer (the API)."""
    customers.get_customer(user, customer_id)
    return of_customer(customer_id)


def book_frame(only: Collection[int] | None = None) -> pd.DataFrame:
    """For each customer whose live facilities the register secures, set-based over the whole book:
    ``collateral_coverage`` (the lowest coverage of its secured facilities), ``collateral_value`` (what the
    register secures of them, CNY) and ``on_collateral_coverage`` (the last day its collateral changed: what a
    warning rests on). Indexed by customer id; empty when the register secures nothing. ``only``: these
    customers' rows alone (a check of some customers)."""
    columns = ["collateral_coverage", "collateral_value", "on_collateral_coverage"]
    pledged = db.session.execute(
        select(
            Facility.customer_id,
            Facility.id,
            Facility.limit_amount,
            Collateral.appraised_value,
            Collateral.haircut,
            CollateralLink.share,
        )
        .join(Collateral, Collateral.id == CollateralLink.collateral_id)
        .join(Facility, Facility.id == CollateralLink.facility_id)
        .where(
            Collateral.status == "active",
            Facility.status.in_(LIVE_FACILITY_STATUSES),
            *([] if only is None else [Facility.customer_id.in_(only)]),
        )
    ).all()
    if not pledged:
        return pd.DataFrame(columns=columns, index=pd.Index([], name="customer_id"))
    secured: dict[tuple[int, int], Decimal] = {}  # in Decimal, to the cent per link, as the page computes it
    limits: dict[tuple[int, int], Decimal] = {}
    for customer_id, facility_id, limit, value, haircut, share in pledged:
        key = (customer_id, facility_id)
        secured[key] = secured.get(key, Decimal(0)) + secured_of(value, haircut, share)
        limits[key] = Decimal(limit)
    facilities = pd.DataFrame(
        [
            (c, float(amount / limits[(c, f)]) if limits[(c, f)] > 0 else None, float(amount))
            for (c, f), amount in secured.items()
        ],
        columns=["customer_id", "coverage", "secured"],
    )
    by_customer = facilities.groupby("customer_id").agg(
        collateral_coverage=("coverage", "min"), collateral_value=("secured", "sum")
    )
    by_customer["collateral_value"] = by_customer.collateral_value.round(2)
    changed = dict(  # every customer's latest change, one grouped read (a released item moves it too)
        db.session.execute(
            select(Collateral.customer_id, func.max(Collateral.changed_on))
            .where(*([] if only is None else [Collateral.customer_id.in_(only)]))
            .group_by(Collateral.customer_id)
        ).all()
    )
    by_customer["on_collateral_coverage"] = [changed.get(c) for c in by_customer.index]
    return by_customer[columns]
