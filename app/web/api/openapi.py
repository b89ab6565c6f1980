"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json: the fixed paths below, with the
bodies of opening a case and completing a task described by the deployed processes' own forms."""

import copy
from collections.abc import Iterable

from app.services.design.api_description import ProcessShape
from app.services.monitoring.observations import RATINGS

_ERROR = {"type": "object", "properties": {"error": {"type": "string"},
                                           "errors": {"type": "object", "additionalProperties": {"type": "string"}}}}
_TASK = {"type": "object", "required": ["id", "name", "case_id", "process", "lane", "assignee", "due_at", "form"],
         "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "case_id": {"type": "integer"},
                        "process": {"type": "string"}, "lane": {"type": ["string", "null"]},
                        "assignee": {"type": ["string", "null"]},
                        "due_at": {"type": ["string", "null"], "format": "date-time"},
                        "state": {"type": "string"},
                        "form": {"type": ["object", "null"], "description": "the task's JSON Schema form"}}}


_OBSERVATION = {"type": "object", "required": ["uscc", "observed_on"], "properties": {
    "uscc": {"type": "string", "description": "the customer's unified social credit code"},
    "observed_on": {"type": "string", "format": "date"},
    "utilization_pct": {"type": "number", "minimum": 0}, "days_past_due": {"type": "integer", "minimum": 0},
    "overdue_interest": {"type": "number", "minimum": 0}, "enforcement_records": {"type": "integer", "minimum": 0},
    "tax_arrears": {"type": "number", "minimum": 0}, "utility_arrears": {"type": "number", "minimum": 0},
    "negative_news": {"type": "boolean"}, "news_note": {"type": "string", "maxLength": 500},
    "collateral_value": {"type": "number", "minimum": 0},
    "external_rating": {"type": "string", "enum": list(RATINGS)},
}}


def _responses(ok: dict, *codes: int) -> dict:
    texts = {401: "no valid bearer token", 403: "not allowed (role, group, 审贷分离, authority level)",
             404: "no such object", 409: "the task or case was changed by someone else; nothing was changed",
             422: "invalid data; errors name each field"}
    out = {"200": ok} if "description" in ok else ok
    for code in codes:
        out[str(code)] = {"description": texts[code],
                          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    out["503"] = {"$ref": "#/components/responses/Unavailable"}  # any operation, when the database is away
    return out


# The database cannot be reached, or the audit log is held too long by another process: nothing was saved.
_UNAVAILABLE = {
    "description": "the database is unreachable or busy; nothing was saved: retry after the seconds given",
    "headers": {"Retry-After": {"description": "seconds to wait before retrying", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_DATA_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"data": {"type": "object"}}}}}}
_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]

OPENAPI = {
    "openapi": "3.1.0",
    "info": {"title": "Credit lifecycle API", "version": "1",
             "description": "Bearer tokens from `flask users token USERNAME`. Amounts in CNY."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": _ERROR, "Task": _TASK},
        "responses": {"Unavailable": _UNAVAILABLE},
    },
    "paths": {
        "/cases": {"post": {
            "summary": "Open a case", "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object", "required": ["process"],
                           "properties": {"process": {"type": "string", "example": "credit_application"},
                                          "data": {"type": "object"}}}}}},
            "responses": _responses({"201": _json({"type": "object", "properties": {
                "id": {"type": "integer"}, "status": {"type": "string"}, "reference": {"type": "string"}}},
                "created")}, 401, 403, 404, 422)}},
        "/cases/{id}": {"get": {"summary": "A case with its tasks and decisions", "parameters": _ID,
                                "responses": _responses(_json({"type": "object"}, "the case"), 401, 403, 404)}},
        "/cases/{id}/withdraw": {"post": {
            "summary": "Withdraw a credit application before it is decided (its open tasks and timers are "
                       "cancelled; status and outcome become withdrawn)", "parameters": _ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["reason"],
                "properties": {"reason": {"type": "string", "maxLength": 2000},
                               "version": {"type": "integer", "description": "the case version seen (optional)"}}}}}},
            "responses": _responses(_json({"type": "object"}, "the withdrawn case"), 401, 403, 404, 409, 422)}},
        "/cases/{id}/history": {"get": {"summary": "The case's audit trail", "parameters": _ID,
                                        "responses": _responses(_json({"type": "array"}, "events"), 401, 403, 404)}},
        "/tasks": {"get": {"summary": "Tasks the caller may act on",
                           "responses": _responses(_json({"type": "array", "items": {
                               "$ref": "#/components/schemas/Task"}}, "tasks"), 401)}},
        "/tasks/{id}/claim": {"post": {"summary": "Claim a task", "parameters": _ID, "responses": _responses(
            _json({"$ref": "#/components/schemas/Task"}, "claimed"), 401, 403, 404, 409)}},
        "/tasks/{id}/unclaim": {"post": {"summary": "Put a task back in its queue", "parameters": _ID,
                                         "responses": _responses(_json({"$ref": "#/components/schemas/Task"},
                                                                       "unclaimed"), 401, 403, 404, 409)}},
        "/tasks/{id}/complete": {"post": {"summary": "Submit a task's form", "parameters": _ID,
                                          "requestBody": _DATA_BODY, "responses": _responses(
                                              _json({"$ref": "#/components/schemas/Task"}, "completed"),
                                              401, 403, 404, 409, 422)}},
        "/monitoring/observations": {"post": {
            "summary": "Record monitoring observations (贷后监测数据)",
            "description": "One observation as a JSON object, or several as {\"observations\": [...]} (up to "
                           "1000, all or none). A figure left out was not observed. Errors name the field, and "
                           "for several the item: observations[2].uscc.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": _OBSERVATION}}},
            "responses": _responses({"201": _json({"type": "object", "properties": {"observations": {
                "type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "customer_id": {"type": "integer"},
                    "observed_on": {"type": "string", "format": "date"}}}}}}, "stored")}, 401, 403, 422)}},
    },
}


def document(shapes: Iterable[ProcessShape]) -> dict:
    """OPENAPI with each process's start data (POST /cases) and each task form (POST /tasks/{id}/complete)."""
    doc = copy.deepcopy(OPENAPI)
    schemas, starts, forms = doc["components"]["schemas"], [], []
    for shape in shapes:
        schemas[f"Start.{shape.process_id}"] = shape.start_data
        starts.append({"type": "object", "required": ["process"], "additionalProperties": False, "properties": {
            "process": {"const": shape.process_id}, "data": {"$ref": f"#/components/schemas/Start.{shape.process_id}"}}})
        for file_name, schema in shape.forms.items():
            name = f"Form.{file_name.removesuffix('.json')}"
            if schemas.get(name, schema) != schema:  # another process deployed a different form by that name
                name = f"Form.{shape.process_id}.{file_name.removesuffix('.json')}"
            if name not in schemas:
                schemas[name] = schema
                forms.append({"$ref": f"#/components/schemas/{name}"})
    if starts:
        doc["paths"]["/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {"oneOf": starts}
    if forms:
        doc["paths"]["/tasks/{id}/complete"]["post"]["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"type": "object", "required": ["data"], "properties": {"data": {
                "anyOf": forms, "description": "the fields of the task's own form (its key is the task's form "
                                               "in GET /tasks)"}}}}}}
    return doc
