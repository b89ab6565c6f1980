"""A customer's people in the OpenAPI document: its contacts (客户联系人) and the log of contacts with it
(联系记录), each listed and added to."""

from typing import Any

from app.services.customers.contacts.contact_log import CHANNELS, MAX_SUMMARY
from app.services.customers.contacts.contacts import ID_TYPES, ROLES
from app.web.api.openapi.customers import CUSTOMER_ID
from app.web.api.openapi.shared import json_answer, responses

NEW_CONTACT = {
    "type": "object",
    "required": ["name", "role"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "maxLength": 100},
        "role": {
            "type": "string",
            "enum": list(ROLES),
            "description": "法定代表人, 实际控制人, 财务负责人, 授权经办人, 其他",
        },
        "phone": {
            "type": "string",
            "maxLength": 32,
            "description": "a mainland mobile (13812345678) or landline "
            "(021-62345678, an extension after a hyphen)",
        },
        "email": {"type": "string", "format": "email", "maxLength": 254},
        "id_type": {"type": "string", "enum": list(ID_TYPES)},
        "id_number": {
            "type": "string",
            "maxLength": 32,
            "description": "a resident identity number is checked by its check character (GB 11643)",
        },
        "is_primary": {
            "type": "boolean",
            "description": "the customer's primary contact (unmarks the former one)",
        },
    },
}
CONTACT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "customer_id": {"type": "integer"},
        "name": {"type": "string"},
        "role": {"type": "string", "enum": list(ROLES)},
        "phone": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "id_type": {"type": ["string", "null"], "enum": [*ID_TYPES, None]},
        "id_number_masked": {
            "type": ["string", "null"],
            "description": "masked, as on every screen: 1101**********1234",
        },
        "is_primary": {"type": "boolean"},
    },
}
NEW_ENTRY: dict[str, Any] = {
    "type": "object",
    "required": ["contacted_on", "channel", "summary"],
    "additionalProperties": False,
    "properties": {
        "contacted_on": {"type": "string", "format": "date", "description": "not in the future"},
        "channel": {"type": "string", "enum": list(CHANNELS), "description": "电话, 邮件, 走访, 会议"},
        "contact_id": {
            "type": "integer",
            "description": "a current contact of the customer (or give contact_name)",
        },
        "contact_name": {
            "type": "string",
            "maxLength": 100,
            "description": "whom, when not one of the contacts",
        },
        "summary": {"type": "string", "maxLength": MAX_SUMMARY, "description": "several lines allowed"},
        "follow_up_on": {
            "type": "string",
            "format": "date",
            "description": "not before contacted_on; falls due as a to-do of the customer's officer",
        },
    },
}
ENTRY = {
    "type": "object",
    "properties": {
        **NEW_ENTRY["properties"],
        "id": {"type": "integer"},
        "customer_id": {"type": "integer"},
        "contact_id": {"type": ["integer", "null"]},
        "follow_up_on": {"type": ["string", "null"], "format": "date"},
        "follow_up_done_at": {"type": ["string", "null"], "format": "date-time"},
        "logged_by": {"type": ["string", "null"]},
        "logged_at": {"type": "string", "format": "date-time"},
    },
}

CONTACTS = {
    "get": {
        "summary": "The customer's contacts (客户联系人), the primary first",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "contacts": {"type": "array", "items": {"$ref": "#/components/schemas/Contact"}}
                    },
                },
                "the contacts",
            ),
            401,
            403,
            404,
        ),
    },
    "post": {
        "summary": "Add a contact (the customer's officer or a risk manager)",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewContact"}}},
        },
        "responses": responses(
            {"201": json_answer({"$ref": "#/components/schemas/Contact"}, "added")}, 401, 403, 404, 422
        ),
    },
}
CONTACT_LOG = {
    "get": {
        "summary": "The customer's contact log (联系记录), newest first",
        "parameters": [
            *CUSTOMER_ID,
            {
                "name": "q",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "maxLength": 100},
                "description": "entries whose summary or person holds it",
            },
        ],
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "entries": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/ContactLogEntry"},
                        }
                    },
                },
                "the log",
            ),
            401,
            403,
            404,
            422,
        ),
    },
    "post": {
        "summary": "Log a contact with the customer (the customer's officer or a risk manager)",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewContactLogEntry"}}},
        },
        "responses": responses(
            {"201": json_answer({"$ref": "#/components/schemas/ContactLogEntry"}, "logged")},
            401,
            403,
            404,
            422,
        ),
    },
}
