"""Post-loan inspections (贷后检查) in the OpenAPI document: a customer's inspections, and an ad hoc one started."""

from app.models.customers.inspection import KINDS, SEVERITIES, STATUSES
from app.web.api.openapi.customers import CUSTOMER_ID
from app.web.api.openapi.shared import json_answer, responses

_DATE = {"type": "string", "format": "date"}
_NULL_DATE = {"type": ["string", "null"], "format": "date"}
_NULL_TIME = {"type": ["string", "null"], "format": "date-time"}
FINDING = {
    "type": "object",
    "properties": {
        "severity": {
            "type": "string",
            "enum": list(SEVERITIES),
            "description": "medium and high raise a warning",
        },
        "area": {
            "type": "string",
            "enum": [
                "operations",
                "premises",
                "use_of_funds",
                "collateral",
                "guarantors",
                "financials",
                "other",
            ],
        },
        "text": {"type": "string"},
    },
}
INSPECTION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "customer_id": {"type": "integer"},
        "kind": {
            "type": "string",
            "enum": list(KINDS),
            "description": "first: use-of-funds tracing after a drawdown (资金用途核查); scheduled; ad_hoc",
        },
        "status": {
            "type": "string",
            "enum": list(STATUSES),
            "description": "planned (the next one, its task not open yet), open, submitted (awaiting sign-off), "
            "returned (for revision), signed_off, cancelled",
        },
        "opens_on": {**_DATE, "description": "the day the officer's task opens"},
        "due_on": {**_DATE, "description": "the day the visit is due"},
        "overdue": {"type": "boolean", "description": "not recorded and its due date passed"},
        "escalated_at": {**_NULL_TIME, "description": "when its being overdue was escalated to the managers"},
        "facility_id": {"type": ["integer", "null"], "description": "the facility whose drawdown it traces"},
        "warning_id": {"type": ["integer", "null"], "description": "the warning an ad hoc one answers"},
        "reason": {"type": ["string", "null"]},
        "case_id": {"type": ["integer", "null"], "description": "its post_loan_inspection case, once opened"},
        "case_reference": {"type": ["string", "null"]},
        "visited_on": _NULL_DATE,
        "visited_by": {"type": ["string", "null"], "description": "user name"},
        "record": {
            "type": ["object", "null"],
            "description": "visit_mode, people_met, operations, premises, use_of_funds, funds_match_purpose, "
            "collateral_seen, collateral_state, guarantors_condition, conclusion",
        },
        "findings": {"type": "array", "items": FINDING},
        "worst_severity": {"type": ["string", "null"], "enum": [*SEVERITIES, None]},
        "returned_count": {"type": "integer"},
        "signed_off_by": {"type": ["string", "null"]},
        "signed_off_at": _NULL_TIME,
        "sign_off_comment": {"type": ["string", "null"]},
    },
}
NEW_INSPECTION = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "warning_id": {"type": "integer", "description": "one of the customer's open warnings"},
        "reason": {"type": "string", "maxLength": 500, "description": "required without a warning"},
        "due_on": {**_DATE, "description": "today to 60 days on; a week on when left out"},
    },
}
_INSPECTION = {"$ref": "#/components/schemas/Inspection"}

CUSTOMER_INSPECTIONS = {
    "get": {
        "summary": "The customer's post-loan inspections (贷后检查): the next one and those opened, newest first",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "next": {"oneOf": [_INSPECTION, {"type": "null"}]},
                        "inspections": {"type": "array", "items": _INSPECTION},
                    },
                },
                "the next inspection (planned or under way) and the history",
            ),
            401,
            403,
            404,
        ),
    },
    "post": {
        "summary": "Start an ad hoc inspection of the customer (its officer or a risk manager); 409 when one is "
        "under way or the customer has no live facility",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewInspection"}}},
        },
        "responses": responses(
            {
                "201": json_answer(
                    {
                        "type": "object",
                        "properties": {
                            "case_id": {"type": "integer"},
                            "reference": {"type": "string"},
                            "inspection": _INSPECTION,
                        },
                    },
                    "started: the officer's task is open",
                )
            },
            401,
            403,
            404,
            409,
            422,
        ),
    },
}
