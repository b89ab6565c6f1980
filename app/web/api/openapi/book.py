"""The book of customers in the OpenAPI document: my customers (我的客户), an officer's own or a manager's
branch's or the bank's, filtered, with totals; and transferring a customer to another officer (客户移交)."""

from app.services.customers.relationship.book_filter import CLASSES, INDUSTRIES, MAX_DAYS, SORTS
from app.services.customers.relationship.transfer import MAX_REASON
from app.services.monitoring.observations import RATINGS
from app.web.api.openapi.customers import CUSTOMER_ID
from app.web.api.openapi.shared import json_answer, query, responses

_AMOUNT = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "description": "CNY, a decimal number as text"}
BOOK_ROW = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "uscc": {"type": "string"},
        "industry": {"type": "string"},
        "grade": {"type": ["string", "null"]},
        "loan_class": {"type": ["string", "null"], "description": "五级分类; null: not classified yet"},
        "officer": {"type": ["string", "null"], "description": "the officer's user name"},
        "team": {"type": ["string", "null"]},
        "live_limit": _AMOUNT,
        "next_review_on": {"type": ["string", "null"], "format": "date"},
        "next_maturity": {
            "type": ["string", "null"],
            "format": "date",
            "description": "of its live facilities",
        },
        "open_warnings": {"type": "integer"},
    },
}
BOOK = {
    "type": "object",
    "properties": {
        "scope": {
            "type": "string",
            "enum": ["own", "branch", "bank"],
            "description": "an officer's own customers, a branch's (its approver), the bank's (a risk manager)",
        },
        "total": {"type": "integer"},
        "live_limit": _AMOUNT,
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "by_class": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "loan_class": {"type": "string", "enum": list(CLASSES)},
                    "customers": {"type": "integer"},
                    "live_limit": _AMOUNT,
                },
            },
        },
        "customers": {"type": "array", "items": {"$ref": "#/components/schemas/BookRow"}},
    },
}

_DAYS = {"type": "integer", "minimum": 0, "maximum": MAX_DAYS}
_BOOK_FILTERS = [
    query("officer", {"type": "integer"}, "a manager's view: one of their officers (user id)"),
    query("team", {"type": "string", "maxLength": 100}, "a manager's view: one of their officers' teams"),
    query("grade", {"type": "string", "enum": list(RATINGS)}, "the customer's grade"),
    query("loan_class", {"type": "string", "enum": list(CLASSES)}, "五级分类, or unclassified"),
    query("industry", {"type": "string", "enum": list(INDUSTRIES)}, "the customer's industry"),
    query("warning", {"type": "string", "enum": ["1", "0"]}, "1: only customers with an open early warning"),
    query("review_days", _DAYS, "periodic review due within so many days, or past due"),
    query("maturity_days", _DAYS, "a live facility maturing within so many days"),
    query(
        "sort",
        {"type": "string", "enum": list(SORTS)},
        "name (default), limit (largest first), grade (best first)",
    ),
    query("page", {"type": "integer", "minimum": 1}, "50 customers a page"),
]
TRANSFER = {
    "type": "object",
    "required": ["officer", "reason"],
    "additionalProperties": False,
    "properties": {
        "officer": {
            "type": "string",
            "maxLength": 64,
            "description": "the user name of an active officer the caller manages (a branch's approver: of "
            "that branch; a risk manager: any)",
        },
        "reason": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_REASON,
            "description": "several lines allowed",
        },
    },
}
TRANSFERRED = {
    "type": "object",
    "properties": {
        "customer_id": {"type": "integer"},
        "officer": {"type": "string"},
        "officer_before": {"type": ["string", "null"]},
        "tasks_moved": {"type": "integer", "description": "open tasks of the former officer that went along"},
    },
}

MINE = {
    "get": {
        "summary": "My customers (我的客户): an officer's, or a manager's branch's or the bank's, with totals",
        "parameters": _BOOK_FILTERS,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/Book"}, "a page and the totals"), 401, 403, 422
        ),
    }
}
OFFICER = {
    "post": {
        "summary": "Assign or transfer the customer to another officer (客户移交; a relationship manager); the "
        "former officer's open tasks go along",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transfer"}}},
        },
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/Transferred"}, "transferred"), 401, 403, 404, 409, 422
        ),
    }
}
