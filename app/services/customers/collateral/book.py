"""The collateral of the whole book (/collateral), for risk managers and approvers: the items due for revaluation
(or within ``SOON_DAYS``), the live facilities short of their limit, and the insurance expired or expiring within
``coverage.INSURANCE_NOTICE_DAYS`` days. Each list is one read on an index (the shortfalls: the register's links,
set-based), at most ``LIMIT`` rows, soonest or worst first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.errors import NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import Collateral, CollateralLink, Facility, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.customers.collateral import coverage

READERS = frozenset({"risk_manager", "approver"})
SOON_DAYS = 30
LIMIT = 200


@dataclass(frozen=True)
class Shortfall:
    facility: Facility
    secured: Decimal

    @property
    def coverage(self) -> Decimal:
        return self.secured / self.facility.limit_amount

    @property
    def ltv(self) -> Decimal | None:
        return self.facility.limit_amount / self.secured if self.secured else None

    @property
    def gap(self) -> Decimal:
        """How much more collateral value (after haircut) would cover the limit."""
        return self.facility.limit_amount - self.secured


@dataclass(frozen=True)
class Book:
    due: list[Collateral]
    shortfalls: list[Shortfall]
    insurance: list[Collateral]
    today: date

    def insurance_state(self, item: Collateral) -> str | None:
        return coverage.insurance_state(item, self.today)


def check_reader(user: User) -> None:
    if user.role not in READERS:
        raise NotAuthorized(_("Only risk managers and approvers read the collateral of the whole book."))


def _items(*where, order) -> list[Collateral]:
    return list(
        db.session.scalars(
            select(Collateral)
            .options(joinedload(Collateral.customer), joinedload(Collateral.revaluation_case))
            .where(Collateral.status == "active", *where)
            .order_by(order, Collateral.id)
            .limit(LIMIT)
        )
    )


def shortfalls() -> list[Shortfall]:
    """The live facilities whose secured value is below their limit, the worst covered first."""
    rows = db.session.execute(
        select(
            CollateralLink.facility_id,
            Facility.limit_amount,
            Collateral.appraised_value,
            Collateral.haircut,
            CollateralLink.share,
        )
        .join(Collateral, Collateral.id == CollateralLink.collateral_id)
        .join(Facility, Facility.id == CollateralLink.facility_id)
        .where(Collateral.status == "active", Facility.status.in_(LIVE_FACILITY_STATUSES))
    ).all()
    secured: dict[int, Decimal] = {}
    limits: dict[int, Decimal] = {}
    for facility_id, limit, value, haircut, share in rows:
        part = (Decimal(value) * (1 - Decimal(haircut)) * Decimal(share) / 100).quantize(coverage.CENT)
        secured[facility_id] = secured.get(facility_id, Decimal(0)) + part
        limits[facility_id] = Decimal(limit)
    short = sorted((secured[f] / limits[f], f) for f in secured if limits[f] > 0 and secured[f] < limits[f])[
        :LIMIT
    ]
    facilities = {
        f.id: f
        for f in db.session.scalars(
            select(Facility)
            .options(joinedload(Facility.customer), joinedload(Facility.instance))
            .where(Facility.id.in_([f for _c, f in short]))
        )
    }
    return [Shortfall(facilities[f], secured[f]) for _c, f in short]


def of_book(user: User) -> Book:
    """The book's collateral lists, for a risk manager or an approver."""
    check_reader(user)
    today = local_today()
    return Book(
        due=_items(
            Collateral.next_revaluation_on <= today + timedelta(days=SOON_DAYS),
            order=Collateral.next_revaluation_on,
        ),
        shortfalls=shortfalls(),
        insurance=_items(
            Collateral.insurance_expires_on <= today + timedelta(days=coverage.INSURANCE_NOTICE_DAYS),
            order=Collateral.insurance_expires_on,
        ),
        today=today,
    )
