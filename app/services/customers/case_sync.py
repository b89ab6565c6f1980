"""What a case's step writes into its customer's file (the step reaction ``customers.sync_from_case``): the
link between the case and its customer (a prospect created at intake), the renewal's claim on the facility it
renews (``facility_terms``), and once the case is decided its master data, statements and facility.

It stands above the two sub-packages it writes into, ``master`` and ``facilities``: the facilities' lists
read customers (``master.customers``), so a writer inside ``master`` would make the two import each other.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select

from app.extensions import db
from app.models import Customer, Facility, ProcessInstance, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.cases import instance_row
from app.services.customers.facilities import facility_terms
from app.services.customers.master import customers
from app.services.monitoring import classification
from app.services.shared.rows import insert_returning_id, write


def sync_from_case(instance: ProcessInstance, data: dict[str, Any], actor: User | None) -> None:
    """Link the case to its customer and, when the case is decided, record the outcome.

    A case in progress never changes an existing customer's master data, rating or statements:
    only an approved case does (with before/after in the audit log), so an officer's unapproved
    entries cannot overwrite what an earlier approval established. A customer seen for the first
    time is created at intake, as a prospect with no rating. Rows are written with single Core
    statements in the step's transaction (see ``rows``); nothing here is read back by the step.
    """
    if instance.customer_id is None and data.get("uscc"):
        # A link, not a step: checked against the version the step just wrote, without moving it.
        instance_row.write(
            instance, {"customer_id": _find_or_create(data, actor, instance)}, new_version=False
        )
        facility_terms.claim_for_renewal(instance, data, actor)  # a renewal (续授信): its facility, once
    elif data.get("renews_facility_id") and data.get("uscc"):
        facility_terms.check_same_customer(
            instance, data
        )  # linked when it started: its intake cannot move it
    decided = instance.status == "completed" and instance.outcome in ("approved", "rejected")
    if not decided or instance.customer_id is None:
        return
    if instance.outcome == "approved":
        customer = db.session.get(Customer, instance.customer_id)
        assert customer is not None  # the case's customer: customers are never deleted
        _apply_master_data(customer, instance, data, actor)
        if data.get("statements"):
            customers.store_statements(instance.customer_id, instance, data["statements"], actor)
    _record_facility(instance.customer_id, instance, data, actor)


def _master_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data.get("customer_name"),
        "industry": data.get("industry"),
        "size": data.get("size"),
        "credit_record": data.get("credit_record"),
        "listed": bool(data.get("listed")),
        "segment": data.get("segment"),
        "grade": data.get("grade"),
        "group_name": (data.get("group_name") or "").strip() or None,
    }


_BY_USCC = select(Customer.id).where(Customer.uscc == bindparam("uscc"))


def _find_or_create(data: dict[str, Any], actor: User | None, instance: ProcessInstance) -> int:
    found = db.session.execute(_BY_USCC, {"uscc": data["uscc"]}).scalar()
    if found is not None:
        return found
    values = {k: v for k, v in _master_values(data).items() if k not in ("segment", "grade")}
    customer_id = insert_returning_id(
        Customer, {"uscc": data["uscc"], "officer_id": instance.started_by_id, **values}
    )
    audit.record(
        "customer.created",
        actor,
        instance_id=instance.id,
        customer_id=customer_id,
        after={"uscc": data["uscc"], **values},
    )
    return customer_id


def _apply_master_data(
    customer: Customer, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    values = _master_values(data)
    before = {k: getattr(customer, k) for k in values}
    changed = {k: v for k, v in values.items() if v is not None and before[k] != v}
    if changed:
        write(customer, **changed, updated_at=utcnow())
        audit.record(
            "customer.updated",
            actor,
            instance_id=instance.id,
            customer_id=customer.id,
            before={k: before[k] for k in changed},
            after=changed,
        )
    if "grade" in changed or (customer.loan_class is not None and customer.grade is not None):
        classification.settle(
            customer,
            instance,
            actor,
            "application",
            (before["grade"], customer.loan_class),
            data.get("capped_from"),
        )


_FACILITY_OF = select(Facility.id).where(Facility.instance_id == bindparam("instance_id"))


def _record_facility(
    customer_id: int, instance: ProcessInstance, data: dict[str, Any], actor: User | None
) -> None:
    if db.session.execute(_FACILITY_OF, {"instance_id": instance.id}).scalar() is not None:
        return
    approved = instance.outcome == "approved"
    renews = data.get("renews_facility_id") if approved else None
    values: dict[str, Any] = dict(
        customer_id=customer_id,
        instance_id=instance.id,
        status="active" if approved else "rejected",
        limit_amount=Decimal(str(data.get("proposed_limit") or 0)) if approved else Decimal(0),
        margin_pct=Decimal(str(data["proposed_margin_pct"]))
        if data.get("proposed_margin_pct") is not None
        else None,
        term_months=data.get("proposed_term_months"),
        grade=data.get("grade"),
        risk_controls=data.get("proposed_controls"),
        decided_by_id=actor.id if actor else None,
        renews_facility_id=renews,
        **facility_terms.dates_of(approved, data.get("proposed_term_months")),
    )
    carried = facility_terms.carried_over(renews)
    if carried:  # the renewed facility is frozen: the new one starts frozen, under the same controls
        values.update(
            status=carried["status"],
            risk_controls="; ".join(filter(None, [carried["risk_controls"], values["risk_controls"]]))[:1000]
            or None,
        )
    facility_id = insert_returning_id(Facility, values)
    audit.record(
        "facility.recorded",
        actor,
        instance_id=instance.id,
        customer_id=customer_id,
        status=values["status"],
        limit=values["limit_amount"],
        term_months=values["term_months"],
        start_on=values["start_on"],
        matures_on=values["matures_on"],
        renews_facility_id=renews,
    )
    if renews:
        facility_terms.end_renewed(renews, facility_id, instance, actor)
