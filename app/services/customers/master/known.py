"""What the bank already knows of a customer, in the words of a credit application: its master data as the
intake's fields, and its statements on file as the statements step's.

An officer who picks an existing customer at intake, and a renewal (续授信) the system proposes, start from
these instead of typing them again; the person still checks and sends each form, which checks every value as
it checks what is typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Customer, FinancialStatement

STATEMENT_YEARS = 3  # the statements step offers the three latest years (its form shows three columns)


def intake_fields(customer: Customer) -> dict[str, Any]:
    """The customer's master data as the fields of an application's intake (a field the bank does not hold
    is left out, for the officer to fill in)."""
    fields = {
        "customer_name": customer.name,
        "uscc": customer.uscc,
        "group_name": customer.group_name,
        "industry": customer.industry,
        "size": customer.size,
        "credit_record": customer.credit_record,
        "listed": bool(customer.listed),
    }
    return {name: value for name, value in fields.items() if value is not None and value != ""}


def statements_on_file(customer_id: int, years: int = STATEMENT_YEARS) -> list[dict[str, Any]]:
    """The customer's latest annual statements, most recent first, as a statements form holds them."""
    rows = db.session.execute(
        select(FinancialStatement.fiscal_year, FinancialStatement.items)
        .where(FinancialStatement.customer_id == customer_id)
        .order_by(FinancialStatement.fiscal_year.desc())
        .limit(years)
    )
    return [
        {"fiscal_year": year, **{k: v for k, v in (items or {}).items() if v is not None}}
        for year, items in rows
    ]


@dataclass(frozen=True)
class Known:
    """A customer picked at intake: the fields it fills in, and what the bank holds beside them."""

    customer: Customer
    fields: dict[str, Any]
    statement_years: list[int] = field(default_factory=list)  # on file, most recent first


def known_of(customer: Customer) -> Known:
    years = list(
        db.session.scalars(
            select(FinancialStatement.fiscal_year)
            .where(FinancialStatement.customer_id == customer.id)
            .order_by(FinancialStatement.fiscal_year.desc())
            .limit(STATEMENT_YEARS)
        )
    )
    return Known(customer, intake_fields(customer), years)
