"""Customers in the OpenAPI document: finding customers, one customer's master data with its exposure, and its
facilities (授信额度) with their dates and renewal. ``CUSTOMER_ID`` is the path parameter of every
``/customers/{id}/...`` path, here and in the sibling modules."""

from app.web.api.openapi.shared import json_answer, responses

CUSTOMER = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "uscc": {"type": "string"},
        "industry": {"type": "string"},
        "size": {"type": "string"},
        "segment": {"type": ["string", "null"]},
        "group_name": {"type": ["string", "null"], "description": "the connected group (统一授信)"},
        "listed": {"type": "boolean"},
        "credit_record": {"type": "string"},
        "grade": {"type": ["string", "null"]},
        "loan_class": {
            "type": ["string", "null"],
            "enum": ["normal", "special_mention", "substandard", "doubtful", "loss", None],
            "description": "五级分类",
        },
        "watchlist": {"type": "boolean"},
        "next_review_on": {"type": ["string", "null"], "format": "date"},
    },
}
_AMOUNT = {"type": ["string", "null"], "description": "CNY, two decimals, as a string"}
CUSTOMER_DETAIL = {
    "allOf": [
        {"$ref": "#/components/schemas/Customer"},
        {
            "type": "object",
            "properties": {
                "exposure": {
                    "type": "object",
                    "properties": {
                        "customer_limit": _AMOUNT,
                        "live_facilities": {"type": "integer"},
                        "group_limit": _AMOUNT,
                        "group_members": {"type": "integer"},
                    },
                },
                "facilities": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "integer"},
                            "case_id": {"type": "integer"},
                            "status": {"type": "string"},
                            "limit": _AMOUNT,
                            "margin_pct": _AMOUNT,
                            "term_months": {"type": ["integer", "null"]},
                            "grade": {"type": ["string", "null"]},
                            "decided_at": {"type": "string", "format": "date-time"},
                        },
                    },
                },
            },
        },
    ]
}
FACILITY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "customer_id": {"type": "integer"},
        "case_id": {"type": "integer", "description": "the credit application that decided it"},
        "reference": {
            "type": "string",
            "description": "that application's reference, which names the facility",
        },
        "status": {
            "type": "string",
            "enum": ["active", "frozen", "exited", "renewed", "rejected"],
            "description": "renewed: replaced by the approved renewal that names it in renews_facility_id",
        },
        "limit_amount": {"type": "string", "description": "CNY, a decimal as text"},
        "margin_pct": {"type": ["string", "null"], "description": "over the LPR, in percent"},
        "term_months": {"type": ["integer", "null"]},
        "grade": {"type": ["string", "null"]},
        "decided_at": {"type": "string", "format": "date-time"},
        "start_on": {
            "type": ["string", "null"],
            "format": "date",
            "description": "the Beijing date it was recorded",
        },
        "matures_on": {
            "type": ["string", "null"],
            "format": "date",
            "description": "start_on + term_months (a short month's last day when the day is past it)",
        },
        "days_left": {"type": ["integer", "null"], "description": "to maturity; negative once matured"},
        "renews_facility_id": {
            "type": ["integer", "null"],
            "description": "the facility this one replaced (续授信)",
        },
        "renewal": {
            "type": "object",
            "properties": {
                "state": {
                    "type": "string",
                    "enum": ["none", "proposed", "in_progress", "approved", "rejected", "withdrawn"],
                },
                "case_id": {"type": ["integer", "null"]},
                "reference": {"type": ["string", "null"]},
            },
        },
    },
}
CUSTOMER_ID = [
    {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
        "description": "the customer's id",
    }
]

SEARCH = {
    "get": {
        "summary": "Customers by name, credit code or group, 50 a page",
        "parameters": [
            {"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100}},
            {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
        ],
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "customers": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}},
                        "total": {"type": "integer"},
                        "page": {"type": "integer"},
                    },
                },
                "the customers",
            ),
            401,
            403,
            422,
        ),
    }
}
DETAIL = {
    "get": {
        "summary": "A customer's master data, facilities and exposure",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/CustomerDetail"}, "the customer"), 401, 403, 404
        ),
    }
}
FACILITIES = {
    "get": {
        "summary": "The customer's facilities (授信额度), newest first, with their dates and renewal",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "facilities": {"type": "array", "items": {"$ref": "#/components/schemas/Facility"}}
                    },
                },
                "the facilities",
            ),
            401,
            403,
            404,
        ),
    }
}
