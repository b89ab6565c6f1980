"""Post-loan inspections (贷后检查) in the JSON API: a customer's inspections (the next one, those opened, with
their records and findings), and an ad hoc one started. Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify

from app.localtime import local_today
from app.models import Inspection
from app.services.customers.inspections import ad_hoc, reads
from app.web.api.shared import json_body, token_required


def _time(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def inspection_json(inspection: Inspection) -> dict:
    today = local_today()
    return {
        "id": inspection.id,
        "customer_id": inspection.customer_id,
        "kind": inspection.kind,
        "status": inspection.status,
        "opens_on": inspection.opens_on.isoformat(),
        "due_on": inspection.due_on.isoformat(),
        "overdue": inspection.overdue_on(today),
        "escalated_at": _time(inspection.escalated_at),
        "facility_id": inspection.facility_id,
        "warning_id": inspection.warning_id,
        "reason": inspection.reason,
        "case_id": inspection.instance_id,
        "case_reference": inspection.instance.reference if inspection.instance is not None else None,
        "visited_on": inspection.visited_on.isoformat() if inspection.visited_on else None,
        "visited_by": inspection.visited_by.username if inspection.visited_by else None,
        "record": inspection.record,
        "findings": inspection.findings or [],
        "worst_severity": inspection.worst_severity,
        "returned_count": inspection.returned_count,
        "signed_off_by": inspection.signed_off_by.username if inspection.signed_off_by else None,
        "signed_off_at": _time(inspection.signed_off_at),
        "sign_off_comment": inspection.sign_off_comment,
    }


@token_required
def list_inspections(customer_id: int):
    """The customer's next inspection (planned or under way) and the inspections opened, newest first."""
    _customer, seen = reads.for_api(g.api_user, customer_id)
    return jsonify(
        next=inspection_json(seen.current) if seen.current is not None else None,
        inspections=[inspection_json(i) for i in seen.history],
    )


@token_required
def start_inspection(customer_id: int):
    """Start an ad hoc inspection of the customer (its officer or a risk manager): 201 with the case."""
    case = ad_hoc.start(g.api_user, customer_id, json_body())
    inspection = ad_hoc.of_case(case.id)
    return jsonify(
        case_id=case.id,
        reference=case.reference,
        inspection=inspection_json(inspection) if inspection is not None else None,
    ), 201
