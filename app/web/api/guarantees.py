"""Guarantees (担保) in the JSON API: a customer's guarantees both ways, one recorded and one released, and the
guarantee circles (担保圈) and long chains of the book. Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify

from app.localtime import local_today
from app.services.customers.guarantees import circles_kept, network, register
from app.web.api.shared import json_body, token_required


def _guarantee_json(guarantee) -> dict:
    released = guarantee.released_at
    return {
        "id": guarantee.id,
        "customer_id": guarantee.customer_id,
        "customer_name": guarantee.customer.name,
        "guarantor_id": guarantee.guarantor_id,
        "guarantor_name": guarantee.guarantor.name,
        "guarantor_uscc": guarantee.guarantor.uscc,
        "facility_id": guarantee.facility_id,
        "kind": guarantee.kind,
        "amount": str(guarantee.amount),
        "signed_on": guarantee.signed_on.isoformat(),
        "ends_on": guarantee.ends_on.isoformat() if guarantee.ends_on else None,
        "status": guarantee.state_on(local_today()),
        "released_at": released.isoformat() + "Z" if released else None,
    }


def _circle_json(circle) -> dict:
    return {"kind": circle.kind, "members": list(circle.members), "amount": str(circle.amount)}


@token_required
def list_guarantees(customer_id: int):
    """The customer's guarantors and the guarantees it gives, the circle it is in (null when none) and the steps of
    the long chain it is on (null when none)."""
    seen = network.of_customer(g.api_user, customer_id)
    return jsonify(
        received=[_guarantee_json(x) for x in seen.received],
        given=[_guarantee_json(x) for x in seen.given],
        circle=_circle_json(seen.circle) if seen.circle else None,
        long_chain_steps=seen.chain_steps,
    )


@token_required
def record_guarantee(customer_id: int):
    """Record a guarantee given for the customer (its officer or a manager of its relationship)."""
    return jsonify(_guarantee_json(register.record(g.api_user, customer_id, json_body()))), 201


@token_required
def release_guarantee(guarantee_id: int):
    """Release a guarantee (解除担保); 409 when it was already released."""
    return jsonify(_guarantee_json(register.release(g.api_user, guarantee_id)))


@token_required
def guarantee_circles():
    """The circles and the chains longer than the policy over the whole book, the firms named."""
    found = circles_kept.of_book(g.api_user)
    return jsonify(
        scanned_at=found.scanned_at.isoformat() if found.scanned_at else None,
        max_chain_length=found.max_chain_length,
        circles=[_circle_json(c) for c in found.circles],
        chains=[[list(step) for step in chain.steps] for chain in found.chains],
        names={str(k): v for k, v in found.names.items()},
    )
