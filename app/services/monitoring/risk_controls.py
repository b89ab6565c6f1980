"""What a warning's escalation does to the bank's records, in the step that decides it: an approved
risk-control action changes the customer's facility (before and after kept), the five-category
classification is recorded on the customer (its grade capped by it, see ``classification``), and the
warnings the escalation holds close with it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from app import engine
from app.extensions import db
from app.models import Customer, EarlyWarning, Facility, FacilityChange, ProcessInstance, User
from app.models.base import utcnow
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.audit import audit
from app.services.customers.facilities import facility_terms
from app.services.monitoring import classification

PROCESS = "warning_escalation"
NOTES = {
    "require_guarantee": "追加保证担保 / a guarantee required",
    "more_collateral": "追加抵质押物 / more collateral required",
}


def after_step(instance: ProcessInstance, result: engine.StepResult, actor: User | None) -> None:
    if instance.process_id != PROCESS:
        return
    done = {element for element, _kind in result.path}
    data = result.data
    customer = db.session.get(Customer, data.get("customer_id")) if data.get("customer_id") else None
    if customer is not None and "apply_control" in done and data.get("control_applied"):
        _apply(customer, instance, data["control_applied"], actor)
    if (
        customer is not None
        and "classify_loan" in done
        and data.get("five_category") in classification.FIVE_CATEGORIES
    ):
        classification.classify(customer, instance, data["five_category"], actor)
    if result.completed:
        db.session.execute(
            update(EarlyWarning)
            .where(EarlyWarning.instance_id == instance.id, EarlyWarning.status == "open")
            .values(status="closed", outcome=data.get("outcome"), closed_at=utcnow())
        )


def _facility_values(facility: Facility) -> dict[str, Any]:
    return {
        "status": facility.status,
        "limit_amount": str(facility.limit_amount),
        "margin_pct": str(facility.margin_pct) if facility.margin_pct is not None else None,
        "term_months": facility.term_months,
        "risk_controls": facility.risk_controls,
        "matures_on": facility.matures_on.isoformat() if facility.matures_on else None,
    }


def _apply(
    customer: Customer, instance: ProcessInstance, control: dict[str, Any], actor: User | None
) -> None:
    action = control.get("action")
    if action == "watchlist":
        customer.watchlist = True
        audit.record("customer.watchlisted", actor, customer_id=customer.id, instance_id=instance.id)
        return
    facilities = list(
        db.session.scalars(
            select(Facility)
            .where(Facility.customer_id == customer.id, Facility.status.in_(LIVE_FACILITY_STATUSES))
            .order_by(Facility.id)
        )
    )
    if not facilities:
        audit.record(
            "facility.control_skipped",
            actor,
            customer_id=customer.id,
            instance_id=instance.id,
            action=action,
            reason="no live facility",
        )
        return
    for facility in facilities:  # the customer's every live limit
        _change(facility, customer, instance, control, actor)


def _change(
    facility: Facility,
    customer: Customer,
    instance: ProcessInstance,
    control: dict[str, Any],
    actor: User | None,
) -> None:
    action = control.get("action")
    before = _facility_values(facility)
    if action == "reduce_limit":
        share = Decimal(str(control.get("reduce_share") or 0))
        facility.limit_amount = (facility.limit_amount * (1 - share)).quantize(Decimal("0.01"))
    elif action == "freeze":
        facility.status = "frozen"
    elif action == "exit":
        facility.status = "exited"
    elif action == "raise_margin":
        facility.margin_pct = (facility.margin_pct or 0) + Decimal(str(control.get("margin_add_pct") or 0))
    elif action == "shorten_term" and control.get("term_months"):
        facility.term_months = min(facility.term_months or 10**6, int(control["term_months"]))
        if (
            facility.start_on is not None
        ):  # a shorter term ends it sooner: the maturity (and its renewal) follow
            facility.matures_on = facility_terms.maturity(facility.start_on, facility.term_months)
    elif action in NOTES:
        facility.risk_controls = "; ".join(filter(None, [facility.risk_controls, NOTES[action]]))[:1000]
    after = _facility_values(facility)
    db.session.add(
        FacilityChange(
            facility_id=facility.id,
            instance_id=instance.id,
            action=action,
            before=before,
            after=after,
            applied_by_id=actor.id if actor else None,
            applied_at=utcnow(),
        )
    )
    audit.record(
        "facility.changed",
        actor,
        customer_id=customer.id,
        instance_id=instance.id,
        facility_id=facility.id,
        action=action,
        before=before,
        after=after,
    )
