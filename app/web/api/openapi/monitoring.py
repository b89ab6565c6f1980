"""Monitoring in the OpenAPI document: recording post-loan observations (贷后监测数据), one or a batch."""

from app.services.monitoring.observations import RATINGS
from app.web.api.openapi.shared import json_answer, responses

_OBSERVATION = {
    "type": "object",
    "required": ["uscc", "observed_on"],
    "properties": {
        "uscc": {"type": "string", "description": "the customer's unified social credit code"},
        "observed_on": {"type": "string", "format": "date"},
        "utilization_pct": {"type": "number", "minimum": 0},
        "days_past_due": {"type": "integer", "minimum": 0},
        "overdue_interest": {"type": "number", "minimum": 0},
        "enforcement_records": {"type": "integer", "minimum": 0},
        "dishonest_debtor": {"type": "boolean", "description": "on the courts' list of dishonest debtors"},
        "tax_arrears": {"type": "number", "minimum": 0},
        "utility_arrears": {"type": "number", "minimum": 0},
        "negative_news": {"type": "boolean"},
        "news_note": {"type": "string", "maxLength": 500},
        "collateral_value": {"type": "number", "minimum": 0},
        "external_rating": {"type": "string", "enum": list(RATINGS)},
    },
}

OBSERVATIONS = {
    "post": {
        "summary": "Record monitoring observations (贷后监测数据)",
        "description": 'One observation as a JSON object, or several as {"observations": [...]} (up to '
        "1000, all or none). A figure left out was not observed. Errors name the field, and "
        "for several the item: observations[2].uscc.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _OBSERVATION}}},
        "responses": responses(
            {
                "201": json_answer(
                    {
                        "type": "object",
                        "properties": {
                            "observations": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "customer_id": {"type": "integer"},
                                        "observed_on": {"type": "string", "format": "date"},
                                    },
                                },
                            }
                        },
                    },
                    "stored",
                )
            },
            401,
            403,
            422,
        ),
    }
}

_PUSH_ANSWER = json_answer(
    {
        "type": "object",
        "properties": {
            "stored": {"type": "integer", "description": "events stored as observations"},
            "duplicates": {"type": "integer", "description": "events whose id was received before"},
            "malformed": {"type": "integer", "description": "events kept with their reasons, not stored"},
            "unknown_customer": {
                "type": "integer",
                "description": "events naming a credit code no customer has",
            },
        },
    },
    "what became of the events",
)
_SIGNED_HEADERS = [
    {
        "name": "X-Timestamp",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
    },
    {
        "name": "X-Signature",
        "in": "header",
        "required": True,
        "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
        "description": "HMAC-SHA256 of '<X-Timestamp>.<body>' with the source's secret (CREDIT_CONNECTOR_<SOURCE>_SECRET)",
    },
    {
        "name": "X-Request-Id",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": 100},
    },
]


def _push_responses() -> dict:
    """The push's answers: a 401 is a signature that does not verify, not a missing bearer token."""
    out = responses(_PUSH_ANSWER, 401, 404, 422)
    out["401"] = {
        **out["401"],
        "description": "not signed as the source signs (or the source takes no pushes)",
    }
    return out


PUSH = {
    "post": {
        "summary": "An external source pushes its events (外部数据, a signed webhook)",
        "description": "The path's id is the source's key (tax, court). The body is a page as a pull gets it: "
        '{"events": [...]}, at most 8 MB. Signed with the source\'s secret, not a bearer token; a timestamp more '
        "than 5 minutes from now is refused, a delivery replayed within them stores nothing twice. 503 while "
        "the source is paused: deliver again later.",
        "security": [],
        "parameters": _SIGNED_HEADERS,
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["events"],
                        "properties": {"events": {"type": "array", "items": {"type": "object"}}},
                    }
                }
            },
        },
        "responses": _push_responses(),
    }
}
