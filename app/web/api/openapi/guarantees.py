"""Guarantees (担保) in the OpenAPI document: a customer's guarantees both ways, one recorded and released, and
the guarantee circles (担保圈) and long chains of the book."""

from app.services.customers.guarantees.register import KINDS
from app.web.api.openapi.customers import CUSTOMER_ID
from app.web.api.openapi.shared import ID, json_answer, responses

AMOUNT = {
    "type": "string",
    "pattern": r"^[0-9][0-9,]*(\.[0-9]{1,2})?$",
    "description": "CNY, more than zero, at most two decimals (a JSON number is read too)",
}
NEW_GUARANTEE = {
    "type": "object",
    "required": ["kind", "amount", "signed_on"],
    "additionalProperties": False,
    "properties": {
        "guarantor_uscc": {
            "type": "string",
            "maxLength": 18,
            "description": "the guarantor's unified social credit code: a customer of the bank (or give guarantor_id)",
        },
        "guarantor_id": {"type": "integer", "description": "the guarantor's customer id; never the borrower"},
        "kind": {"type": "string", "enum": list(KINDS), "description": "保证, 抵押, 质押"},
        "amount": AMOUNT,
        "facility_id": {"type": "integer", "description": "one of the borrower's facilities"},
        "signed_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date", "description": "not before signed_on"},
    },
}
GUARANTEE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "customer_id": {"type": "integer", "description": "the borrower"},
        "customer_name": {"type": "string"},
        "guarantor_id": {"type": "integer"},
        "guarantor_name": {"type": "string"},
        "guarantor_uscc": {"type": "string"},
        "facility_id": {"type": ["integer", "null"]},
        "kind": {"type": "string", "enum": list(KINDS)},
        "amount": {"type": "string", "description": "CNY"},
        "signed_on": {"type": "string", "format": "date"},
        "ends_on": {"type": ["string", "null"], "format": "date"},
        "status": {
            "type": "string",
            "enum": ["active", "expired", "released"],
            "description": "expired: not released, but past its end date (it no longer counts)",
        },
        "released_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
CIRCLE = {
    "type": "object",
    "properties": {
        "kind": {"type": "string", "enum": ["mutual", "circular"], "description": "互保 (two firms), 联保"},
        "members": {"type": "array", "items": {"type": "integer"}, "description": "customer ids"},
        "amount": {"type": "string", "description": "the guarantees among the members, CNY"},
    },
}
_GUARANTEE = {"$ref": "#/components/schemas/Guarantee"}

CUSTOMER_GUARANTEES = {
    "get": {
        "summary": "The customer's guarantors and the guarantees it gives (担保), and the circle it is in",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "received": {"type": "array", "items": _GUARANTEE},
                        "given": {"type": "array", "items": _GUARANTEE},
                        "circle": {
                            "oneOf": [{"$ref": "#/components/schemas/GuaranteeCircle"}, {"type": "null"}]
                        },
                        "long_chain_steps": {
                            "type": ["integer", "null"],
                            "description": "on a guarantee chain longer than the policy (the last scan of the "
                            "book): the steps of the longest through it",
                        },
                    },
                },
                "the network one hop each way",
            ),
            401,
            403,
            404,
        ),
    },
    "post": {
        "summary": "Record a guarantee for the customer (its officer or a manager of its relationship)",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewGuarantee"}}},
        },
        "responses": responses({"201": json_answer(_GUARANTEE, "recorded")}, 401, 403, 404, 422),
    },
}
RELEASE = {
    "post": {
        "summary": "Release a guarantee (解除担保)",
        "parameters": ID,
        "responses": responses(json_answer(_GUARANTEE, "released"), 401, 403, 404, 409),
    }
}
CIRCLES = {
    "get": {
        "summary": "The guarantee circles (担保圈) and the chains longer than the policy (risk managers, approvers, "
        "compliance)",
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "scanned_at": {
                            "type": ["string", "null"],
                            "format": "date-time",
                            "description": "the last scan of the whole book (the chains are its); null: none yet",
                        },
                        "max_chain_length": {"type": "integer", "description": "rules/guarantee_network.dmn"},
                        "circles": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/GuaranteeCircle"},
                        },
                        "chains": {
                            "type": "array",
                            "items": {
                                "type": "array",
                                "items": {"type": "array", "items": {"type": "integer"}},
                            },
                            "description": "each chain's steps, first guarantor first; a step is a firm or a circle",
                        },
                        "names": {"type": "object", "additionalProperties": {"type": "string"}},
                    },
                },
                "the circles and the long chains",
            ),
            401,
            403,
        ),
    }
}
