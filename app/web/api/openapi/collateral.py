"""Collateral (押品) in the OpenAPI document: a customer's items and each facility's LTV, one item with its
valuations, an item recorded, its facilities and shares, its insurance, its release, a revaluation started now, and
the book's lists. The new value of a revaluation is a task's form (``/tasks/{id}/complete``,
``Form.collateral_revaluation``)."""

from app.services.customers.collateral.fields import KINDS
from app.web.api.openapi.customers import CUSTOMER_ID
from app.web.api.openapi.shared import ID, json_answer, responses

AMOUNT = {
    "type": "string",
    "pattern": r"^[0-9][0-9,]*(\.[0-9]{1,2})?$",
    "description": "CNY, more than zero, at most two decimals (a JSON number is read too)",
}
DATE = {"type": "string", "format": "date"}
LINKS = {
    "type": "array",
    "description": "the borrower's live facilities it secures, each once; the shares sum to at most 100",
    "items": {
        "type": "object",
        "required": ["facility_id", "share"],
        "properties": {
            "facility_id": {"type": "integer"},
            "share": {
                "type": "string",
                "pattern": r"^[0-9]{1,3}(\.[0-9]{1,2})?$",
                "description": "percent of its value after haircut: more than 0, at most 100",
            },
        },
    },
}
INSURANCE = {
    "insured_amount": AMOUNT,
    "insurer": {"type": "string", "maxLength": 200},
    "insurance_expires_on": DATE,
}
NEW_COLLATERAL = {
    "type": "object",
    "required": ["owner_name", "kind", "description", "appraised_value", "appraised_on", "appraiser"],
    "additionalProperties": False,
    "properties": {
        "owner_name": {"type": "string", "maxLength": 200, "description": "the borrower or a third party"},
        "kind": {"type": "string", "enum": list(KINDS), "description": "its haircut and revaluation follow"},
        "description": {"type": "string", "maxLength": 500},
        "certificate_no": {"type": "string", "maxLength": 100, "description": "权证号"},
        "appraised_value": AMOUNT,
        "appraised_on": {**DATE, "description": "not in the future"},
        "appraiser": {"type": "string", "maxLength": 200},
        "report_document_id": {"type": "integer", "description": "one of the customer's appraisal reports"},
        "links": LINKS,
        **INSURANCE,
    },
}
COLLATERAL = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "customer_id": {"type": "integer", "description": "the borrower"},
        "owner_name": {"type": "string"},
        "kind": {"type": "string", "enum": list(KINDS)},
        "description": {"type": "string"},
        "certificate_no": {"type": ["string", "null"]},
        "appraised_value": {"type": "string", "description": "CNY"},
        "appraised_on": DATE,
        "appraiser": {"type": "string"},
        "haircut": {"type": "string", "description": "a fraction, from rules/collateral_haircut.dmn"},
        "haircut_rule": {"type": "string"},
        "value_after_haircut": {"type": "string"},
        "insured_amount": {"type": ["string", "null"]},
        "insurer": {"type": ["string", "null"]},
        "insurance_expires_on": {"type": ["string", "null"], "format": "date"},
        "insurance": {"type": ["string", "null"], "enum": ["insured", "expiring", "expired", None]},
        "next_revaluation_on": DATE,
        "revaluation_case_id": {"type": ["integer", "null"], "description": "the revaluation under way"},
        "status": {"type": "string", "enum": ["active", "released"]},
        "links": {"type": "array", "items": {"type": "object"}},
    },
}
COVER = {
    "type": "object",
    "properties": {
        "facility_id": {"type": "integer"},
        "limit": {"type": "string"},
        "secured": {"type": "string", "description": "the value after haircut of its collateral, CNY"},
        "ltv": {"type": ["string", "null"], "description": "limit / secured (1.25 is 125%)"},
        "coverage": {"type": ["string", "null"], "description": "secured / limit"},
        "short": {"type": "boolean", "description": "secured below the limit"},
    },
}
_ITEM = {"$ref": "#/components/schemas/Collateral"}
_ITEMS = {"type": "array", "items": _ITEM}
_COVERS = {"type": "array", "items": {"$ref": "#/components/schemas/CollateralCover"}}


def _post(summary: str, body: dict, answer: dict, *codes: int) -> dict:
    return {
        "post": {
            "summary": summary,
            "parameters": ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": responses(answer, *codes),
        }
    }


CUSTOMER_COLLATERAL = {
    "get": {
        "summary": "The customer's collateral (押品) and the LTV of each of its live facilities",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer(
                {"type": "object", "properties": {"items": _ITEMS, "facilities": _COVERS}}, "items and covers"
            ),
            401,
            403,
            404,
        ),
    },
    "post": {
        "summary": "Record collateral for the customer (its officer or a manager of its relationship)",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewCollateral"}}},
        },
        "responses": responses({"201": json_answer(_ITEM, "recorded")}, 401, 403, 404, 422),
    },
}
ITEM = {
    "get": {
        "summary": "One item with its valuations (newest first) and the cover of the facilities it secures",
        "parameters": ID,
        "responses": responses(json_answer(_ITEM, "the item"), 401, 403, 404),
    }
}
ITEM_LINKS = _post(
    "Replace the facilities the item secures and their shares",
    {"type": "object", "required": ["links"], "properties": {"links": LINKS}},
    json_answer(_ITEM, "saved"),
    401,
    403,
    404,
    409,
    422,
)
ITEM_INSURANCE = _post(
    "Record the item's insurance (all three fields, or none: not insured)",
    {"type": "object", "properties": INSURANCE},
    json_answer(_ITEM, "saved"),
    401,
    403,
    404,
    409,
    422,
)
RELEASE = {
    "post": {
        "summary": "Release the item (解除抵质押)",
        "parameters": ID,
        "responses": responses(json_answer(_ITEM, "released"), 401, 403, 404, 409),
    }
}
REVALUATION = {
    "post": {
        "summary": "Start a revaluation (押品重估) of the item now; its officer records the value on the case's task",
        "parameters": ID,
        "responses": responses(
            {
                "201": json_answer(
                    {
                        "type": "object",
                        "properties": {"case_id": {"type": "integer"}, "reference": {"type": "string"}},
                    },
                    "the case started",
                )
            },
            401,
            403,
            404,
            409,
        ),
    }
}
BOOK = {
    "get": {
        "summary": "The collateral of the book (risk managers, approvers): due for revaluation within 30 days, "
        "facilities short of collateral, insurance expiring within 30 days",
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "due": _ITEMS,
                        "shortfalls": {"type": "array", "items": {"type": "object"}},
                        "insurance": _ITEMS,
                    },
                },
                "the three lists",
            ),
            401,
            403,
        ),
    }
}
