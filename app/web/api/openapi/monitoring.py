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
