"""Customers: the master data a case creates or updates, statements, facilities, lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.models import Customer, Facility, FinancialStatement, ProcessInstance, User
from app.risk.statements import LINE_ITEMS
from app.services import audit

READERS = {"officer", "approver", "risk_manager", "compliance", "admin"}


def sync_from_case(instance: ProcessInstance, data: dict[str, Any], actor: User | None) -> None:
    """Link the case to its customer and, when the case is decided, record the outcome (flush only).

    A case in progress never changes an existing customer's master data, rating or statements:
    only an approved case does (with before/after in the audit log), so an officer's unapproved
    entries cannot overwrite what an earlier approval established. A customer seen for the first
    time is created at intake, as a prospect with no rating.
    """
    new_link = instance.customer_id is None and bool(data.get("uscc"))
    decided = instance.status == "completed" and instance.outcome in ("approved", "rejected")
    if new_link:
        instance.customer_id = _find_or_create(data, actor, instance).id
    if not decided or instance.customer_id is None:
        return
    customer = db.session.get(Customer, instance.customer_id)
    if instance.outcome == "approved":
        _apply_master_data(customer, instance, data, actor)
        if data.get("statements"):
            _store_statements(customer, instance, data["statements"])
    _record_facility(customer, instance, data, actor)


def _master_values(data: dict[str, Any]) -> dict[str, Any]:
    return {"name": data.get("customer_name"), "industry": data.get("industry"), "size": data.get("size"),
            "credit_record": data.get("credit_record"), "listed": bool(data.get("listed")),
            "segment": data.get("segment"), "grade": data.get("grade")}


def _find_or_create(data: dict[str, Any], actor: User | None, instance: ProcessInstance) -> Customer:
    customer = db.session.scalar(select(Customer).where(Customer.uscc == data["uscc"]))
    if customer is not None:
        return customer
    values = {k: v for k, v in _master_values(data).items() if k not in ("segment", "grade")}
    customer = Customer(uscc=data["uscc"], officer_id=instance.started_by_id, **values)
    db.session.add(customer)
    db.session.flush()
    audit.record("customer.created", actor, instance_id=instance.id, customer_id=customer.id,
                 after={"uscc": customer.uscc, **values})
    return customer


def _apply_master_data(customer: Customer, instance: ProcessInstance, data: dict[str, Any],
                       actor: User | None) -> None:
    values = _master_values(data)
    before = {k: getattr(customer, k) for k in values}
    changed = {k: v for k, v in values.items() if v is not None and before[k] != v}
    if changed:
        for key, value in changed.items():
            setattr(customer, key, value)
        audit.record("customer.updated", actor, instance_id=instance.id, customer_id=customer.id,
                     before={k: before[k] for k in changed}, after=changed)


def _store_statements(customer: Customer, instance: ProcessInstance, statements: list[dict]) -> None:
    existing = {s.fiscal_year: s for s in customer.statements}
    for raw in statements:
        year = int(raw["fiscal_year"])
        items = {k: raw.get(k) for k in LINE_ITEMS}
        row = existing.get(year)
        if row is None:
            db.session.add(FinancialStatement(customer_id=customer.id, fiscal_year=year, items=items,
                                              instance_id=instance.id))
        elif row.items != items:
            row.items, row.instance_id = items, instance.id
    db.session.flush()


def _record_facility(customer: Customer, instance: ProcessInstance, data: dict[str, Any],
                     actor: User | None) -> None:
    if db.session.scalar(select(Facility.id).where(Facility.instance_id == instance.id)):
        return
    approved = instance.outcome == "approved"
    facility = Facility(
        customer_id=customer.id, instance_id=instance.id, status="active" if approved else "rejected",
        limit_amount=Decimal(str(data.get("proposed_limit") or 0)) if approved else Decimal(0),
        margin_pct=Decimal(str(data["proposed_margin_pct"])) if data.get("proposed_margin_pct") is not None else None,
        term_months=data.get("proposed_term_months"), grade=data.get("grade"),
        risk_controls=data.get("proposed_controls"), decided_by_id=actor.id if actor else None,
    )
    db.session.add(facility)
    db.session.flush()
    audit.record("facility.recorded", actor, instance_id=instance.id, customer_id=customer.id,
                 status=facility.status, limit=facility.limit_amount, term_months=facility.term_months)


def _check_reader(user: User) -> None:
    if user.role not in READERS:
        raise NotAuthorized(_("Your role may not read customer files."))


def list_customers(user: User, search: str | None = None, page: int = 1, per_page: int = 50) -> tuple[list[Customer], int]:
    _check_reader(user)
    query = select(Customer)
    if search:
        like = f"%{search.strip()}%"
        query = query.where(or_(Customer.name.ilike(like), Customer.uscc.ilike(like)))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(Customer.name).offset((page - 1) * per_page).limit(per_page)).all()
    return list(rows), total


def get_customer(user: User, customer_id: int) -> Customer:
    _check_reader(user)
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def cases_of(customer_id: int) -> list[ProcessInstance]:
    return list(db.session.scalars(select(ProcessInstance).where(ProcessInstance.customer_id == customer_id)
                                   .order_by(ProcessInstance.id.desc())))
