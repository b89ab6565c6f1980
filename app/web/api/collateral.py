"""Collateral (押品) in the JSON API: a customer's items with each facility's LTV, one item with its valuations,
an item recorded, its facilities and shares, its insurance, its release, a revaluation started now, and the book's
lists. The new value of a revaluation is recorded through its case's tasks (``/tasks/{id}/complete``). Routed in
``app.web.api.api``."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, url_for

from app.models import Collateral
from app.services.customers.collateral import book, coverage, item_page, register, revaluation
from app.web.api.shared import json_body, token_required


def _money(value) -> str | None:
    return str(value) if value is not None else None


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def item_json(item: Collateral, today=None) -> dict[str, Any]:
    case = revaluation.running_case(item)
    return {
        "id": item.id,
        "customer_id": item.customer_id,
        "owner_name": item.owner_name,
        "kind": item.kind,
        "description": item.description,
        "certificate_no": item.certificate_no,
        "appraised_value": str(item.appraised_value),
        "appraised_on": item.appraised_on.isoformat(),
        "appraiser": item.appraiser,
        "haircut": str(item.haircut),
        "haircut_rule": item.haircut_rule,
        "value_after_haircut": str(item.value_after_haircut),
        "insured_amount": _money(item.insured_amount),
        "insurer": item.insurer,
        "insurance_expires_on": _day(item.insurance_expires_on),
        "insurance": coverage.insurance_state(item, today) if today else None,
        "next_revaluation_on": item.next_revaluation_on.isoformat(),
        "revaluation_case_id": case.id if case is not None else None,
        "status": item.status,
        "links": [{"facility_id": link.facility_id, "share": str(link.share)} for link in item.links],
    }


def _cover_json(cover: coverage.FacilityCover) -> dict[str, Any]:
    return {
        "facility_id": cover.facility.id,
        "limit": str(cover.facility.limit_amount),
        "secured": str(cover.secured),
        "ltv": str(cover.ltv.quantize(coverage.CENT / 100)) if cover.ltv is not None else None,
        "coverage": str(cover.coverage.quantize(coverage.CENT / 100)) if cover.coverage is not None else None,
        "short": cover.short,
    }


@token_required
def list_collateral(customer_id: int):
    """The customer's items (in force first) and the LTV of each of its live facilities."""
    seen = coverage.of_readable(g.api_user, customer_id)
    return jsonify(
        items=[item_json(i, seen.today) for i in seen.items],
        facilities=[_cover_json(c) for c in seen.covers],
    )


@token_required
def record_collateral(customer_id: int):
    """Record an item for the customer (its officer or a manager of its relationship)."""
    item = register.record(g.api_user, customer_id, json_body())
    return jsonify(item_json(item)), 201, {"Location": url_for("api.get_collateral", item_id=item.id)}


@token_required
def get_collateral(item_id: int):
    """One item with its valuations (newest first) and the cover of the facilities it secures."""
    view = item_page.page(g.api_user, item_id)
    valuations = [
        {
            "value": str(v.value),
            "valued_on": v.valued_on.isoformat(),
            "appraiser": v.appraiser,
            "haircut": str(v.haircut),
            "haircut_rule": v.haircut_rule,
            "report_document_id": v.report_id,
            "case_id": v.instance_id,
            "recorded_by": v.recorded_by.username if v.recorded_by else None,
            "confirmed_by": v.confirmed_by.username if v.confirmed_by else None,
        }
        for v in view.valuations
    ]
    return jsonify(
        {
            **item_json(view.item, view.today),
            "valuations": valuations,
            "facilities": [_cover_json(c) for c in view.covers],
        }
    )


@token_required
def collateral_links(item_id: int):
    """Replace the facilities the item secures: ``{"links": [{"facility_id": 1, "share": "60"}]}``."""
    return jsonify(item_json(register.set_links(g.api_user, item_id, json_body())))


@token_required
def collateral_insurance(item_id: int):
    """Record the item's insurance (all three fields, or none: not insured)."""
    return jsonify(item_json(register.set_insurance(g.api_user, item_id, json_body())))


@token_required
def release_collateral(item_id: int):
    """Release the item (解除抵质押); 409 when it was already released."""
    return jsonify(item_json(register.release(g.api_user, item_id)))


@token_required
def revalue_collateral(item_id: int):
    """Start a revaluation of the item now; 409 naming the case when one runs already."""
    case = revaluation.start_now(g.api_user, item_id)
    return jsonify(case_id=case.id, reference=case.reference), 201


@token_required
def collateral_book():
    """The book's lists: due for revaluation (within 30 days), facilities short, insurance expiring."""
    found = book.of_book(g.api_user)
    return jsonify(
        due=[item_json(i, found.today) for i in found.due],
        shortfalls=[
            {
                "facility_id": s.facility.id,
                "customer_id": s.facility.customer_id,
                "limit": str(s.facility.limit_amount),
                "secured": str(s.secured),
                "short_by": str(s.gap),
            }
            for s in found.shortfalls
        ],
        insurance=[item_json(i, found.today) for i in found.insurance],
    )
