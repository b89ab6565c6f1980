"""Customers: the master data a case creates or updates, statements, facilities, lists."""

from __future__ import annotations

from collections.abc import Collection
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


def sync_from_case(instance: ProcessInstance, data: dict[str, Any], actor: User | None,
                   submitted: Collection[str] | None = None, changed: Collection[str] | None = None) -> None:
    """Keep the customer record in step with what the case has established (flush only).

    ``submitted`` names the fields a person entered in this step and ``changed`` the case
    values the step changed (None: any may have); the customer is only read when one of them
    concerns it.
    """
    statements_submitted = bool(data.get("statements")) and (submitted is None or "statements" in submitted)
    finished = instance.status == "completed" and instance.outcome in ("approved", "rejected")
    rated = changed is None or bool({"segment", "grade"} & set(changed))
    new_customer = instance.customer_id is None and bool(data.get("uscc"))
    if not (new_customer or rated or statements_submitted or finished):
        return
    if new_customer:
        instance.customer_id = _upsert_customer(data, actor, instance).id
    customer = db.session.get(Customer, instance.customer_id) if instance.customer_id else None
    if customer is None:
        return
    for key in ("segment", "grade"):
        if data.get(key) and getattr(customer, key) != data[key]:
            before = getattr(customer, key)
            setattr(customer, key, data[key])
            audit.record("customer.updated", actor, instance_id=instance.id, customer_id=customer.id,
                         field=key, before=before, after=data[key])
    if statements_submitted:
        _store_statements(customer, instance, data["statements"])
    if finished:
        _record_facility(customer, instance, data, actor)


def _upsert_customer(data: dict[str, Any], actor: User | None, instance: ProcessInstance) -> Customer:
    customer = db.session.scalar(select(Customer).where(Customer.uscc == data["uscc"]))
    values = {"name": data.get("customer_name"), "industry": data.get("industry"), "size": data.get("size"),
              "credit_record": data.get("credit_record"), "listed": bool(data.get("listed"))}
    if customer is None:
        customer = Customer(uscc=data["uscc"], officer_id=instance.started_by_id, **values)
        db.session.add(customer)
        db.session.flush()
        audit.record("customer.created", actor, instance_id=instance.id, customer_id=customer.id,
                     after={"uscc": customer.uscc, **values})
        return customer
    before = {k: getattr(customer, k) for k in values}
    changed = {k: v for k, v in values.items() if v is not None and before[k] != v}
    if changed:
        for key, value in changed.items():
            setattr(customer, key, value)
        audit.record("customer.updated", actor, instance_id=instance.id, customer_id=customer.id,
                     before={k: before[k] for k in changed}, after=changed)
    return customer


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
