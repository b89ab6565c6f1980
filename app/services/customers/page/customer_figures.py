"""The figures of a customer's page: its statements with the ratio trend, and its exposure and its group's.

Read by customer: every query is keyed by the customer (or its group's name), on indexed columns, so the page
costs the same in a book of 10 thousand customers as in one of a million (``bench/customer_pages.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, Facility, FinancialStatement
from app.models.customers import LIVE_FACILITY_STATUSES
from app.risk.errors import RiskInputError
from app.risk.ratios import compute_ratios
from app.risk.statements import parse_statement
from app.services.admin import settings


@dataclass(frozen=True)
class Figures:
    """The customer's stored statements as a case shows them (``statements``: one mapping per year, oldest
    first) and the ratios of each year (``ratio_trend``: {"2024": {ratio: value}}; a year whose figures do not
    hold together has no ratios and is named in ``unreadable``)."""

    statements: list[dict[str, Any]]
    ratio_trend: dict[str, dict[str, float | None]]
    unreadable: list[int]


def figures_of(customer_id: int) -> Figures:
    rows = db.session.execute(
        select(FinancialStatement.fiscal_year, FinancialStatement.items)
        .where(FinancialStatement.customer_id == customer_id)
        .order_by(FinancialStatement.fiscal_year)
    ).all()
    statements = [{**(items or {}), "fiscal_year": year} for year, items in rows]
    trend: dict[str, dict[str, float | None]] = {}
    unreadable = []
    for st in statements:
        try:
            trend[str(st["fiscal_year"])] = compute_ratios(parse_statement(st))
        except RiskInputError:
            unreadable.append(st["fiscal_year"])
    return Figures(statements=statements, ratio_trend=trend, unreadable=unreadable)


@dataclass(frozen=True)
class CustomerExposure:
    """Live limits (active and frozen facilities) of the customer and of its connected group (统一授信), with
    the bank's tier-1 capital when the administrator has set it."""

    customer_limit: Decimal
    live_facilities: int
    group_name: str | None
    group_limit: Decimal | None
    group_members: int
    capital: Decimal | None

    def share(self, amount: Decimal | None) -> Decimal | None:
        """``amount`` as a share of tier-1 capital, when both are known."""
        return amount / self.capital if amount is not None and self.capital else None


def exposure_of(customer: Customer) -> CustomerExposure:
    live = Facility.status.in_(LIVE_FACILITY_STATUSES)
    limit, count = db.session.execute(
        select(func.coalesce(func.sum(Facility.limit_amount), 0), func.count(Facility.id)).where(
            Facility.customer_id == customer.id, live
        )
    ).one()
    group_limit, members = None, 0
    if customer.group_name:
        members = (
            db.session.scalar(
                select(func.count(Customer.id)).where(Customer.group_name == customer.group_name)
            )
            or 0
        )
        group_limit = db.session.scalar(
            select(func.coalesce(func.sum(Facility.limit_amount), 0))
            .join(Customer, Customer.id == Facility.customer_id)
            .where(Customer.group_name == customer.group_name, live)
        )
    return CustomerExposure(
        customer_limit=Decimal(limit),
        live_facilities=count,
        group_name=customer.group_name,
        group_limit=Decimal(group_limit) if group_limit is not None else None,
        group_members=members,
        capital=settings.amount(settings.TIER1_CAPITAL),
    )
