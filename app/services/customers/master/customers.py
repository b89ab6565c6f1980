"""Customers: who may read them, the list and the search, one customer with its cases and warnings, and the
statements a decided case or review keeps on the customer's file (``case_sync`` writes the rest of it)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.models import Customer, EarlyWarning, FinancialStatement, ProcessInstance, User
from app.risk.statements import LINE_ITEMS
from app.services.cases import text_search
from app.services.monitoring import realtime
from app.services.shared.rows import insert_rows

READERS = {"officer", "approver", "risk_manager", "compliance", "admin"}

_STATEMENT_YEARS = select(
    FinancialStatement.id, FinancialStatement.fiscal_year, FinancialStatement.items
).where(FinancialStatement.customer_id == bindparam("customer_id"))


def store_statements(
    customer_id: int, instance: ProcessInstance, statements: list[dict], actor: User | None
) -> None:
    """Keep the statements a decided case or review holds: new years added, changed years updated; either
    way the warning rules run for the customer (real time) once ``actor``'s step commits."""
    existing = {
        year: (row_id, items)
        for row_id, year, items in db.session.execute(_STATEMENT_YEARS, {"customer_id": customer_id})
    }
    added, changed = [], False
    for raw in statements:
        year = int(raw["fiscal_year"])
        items = {k: raw.get(k) for k in LINE_ITEMS}
        if year not in existing:
            added.append(
                {"customer_id": customer_id, "fiscal_year": year, "items": items, "instance_id": instance.id}
            )
        elif existing[year][1] != items:
            changed = True
            db.session.execute(
                update(FinancialStatement)
                .where(FinancialStatement.id == existing[year][0])
                .values(items=items, instance_id=instance.id)
                .execution_options(synchronize_session=False)
            )
    insert_rows(FinancialStatement, added)
    if added or changed:
        realtime.queue([customer_id], actor.id if actor is not None else None)


def _check_reader(user: User) -> None:
    if user.role not in READERS:
        raise NotAuthorized(_("Your role may not read customer files."))


def list_customers(
    user: User, search: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[Customer], int]:
    _check_reader(user)
    query = select(Customer)
    term = text_search.clean_term(search)
    if term:
        query = query.where(text_search.customer_filter(term))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Customer.name).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def search_customers(user: User, search: str | None, limit: int = 10, field: str = "q") -> list[Customer]:
    """The first ``limit`` customers whose name or credit code holds ``search``, by name (no total counted:
    a picker shows the first hits, at the cost of a page at any size)."""
    _check_reader(user)
    term = text_search.clean_term(search, field)
    if not term:
        return []
    return list(
        db.session.scalars(
            select(Customer).where(text_search.customer_filter(term)).order_by(Customer.name).limit(limit)
        )
    )


def get_customer(user: User, customer_id: int) -> Customer:
    _check_reader(user)
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def cases_of(customer_id: int) -> list[ProcessInstance]:
    return list(
        db.session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.customer_id == customer_id)
            .order_by(ProcessInstance.id.desc())
        )
    )


def warnings_of(customer_id: int, limit: int = 20) -> list[EarlyWarning]:
    """The customer's early warnings, newest first (the page of a customer the user may read)."""
    return list(
        db.session.scalars(
            select(EarlyWarning)
            .where(EarlyWarning.customer_id == customer_id)
            .options(joinedload(EarlyWarning.instance))  # the page names each one's case
            .order_by(EarlyWarning.id.desc())
            .limit(limit)
        )
    )
