"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json: the fixed paths below, with the
bodies of opening a case and completing a task described by the deployed processes' own forms."""

import copy
from collections.abc import Iterable
from typing import Any

from app.services.attachments.attachments import KINDS, MAX_NOTE, MAX_TITLE
from app.services.attachments.checklist import ITEMS
from app.services.attachments.sniff import TYPES
from app.services.customers.contacts.contact_log import CHANNELS, MAX_SUMMARY
from app.services.customers.contacts.contacts import ID_TYPES, ROLES
from app.services.customers.relationship.book_filter import CLASSES, INDUSTRIES, MAX_DAYS, SORTS
from app.services.customers.relationship.transfer import MAX_REASON
from app.services.design.forms.api_description import ProcessShape
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


_NEW_CONTACT = {"type": "object", "required": ["name", "role"], "additionalProperties": False, "properties": {
    "name": {"type": "string", "maxLength": 100},
    "role": {"type": "string", "enum": list(ROLES),
             "description": "法定代表人, 实际控制人, 财务负责人, 授权经办人, 其他"},
    "phone": {"type": "string", "maxLength": 32, "description": "a mainland mobile (13812345678) or landline "
                                                              "(021-62345678, an extension after a hyphen)"},
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "id_type": {"type": "string", "enum": list(ID_TYPES)},
    "id_number": {"type": "string", "maxLength": 32,
                  "description": "a resident identity number is checked by its check character (GB 11643)"},
    "is_primary": {"type": "boolean", "description": "the customer's primary contact (unmarks the former one)"},
}}
_CONTACT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"}, "name": {"type": "string"},
    "role": {"type": "string", "enum": list(ROLES)}, "phone": {"type": ["string", "null"]},
    "email": {"type": ["string", "null"]}, "id_type": {"type": ["string", "null"], "enum": [*ID_TYPES, None]},
    "id_number_masked": {"type": ["string", "null"], "description": "masked, as on every screen: 1101**********1234"},
    "is_primary": {"type": "boolean"}}}
_NEW_ENTRY: dict[str, Any] = {"type": "object", "required": ["contacted_on", "channel", "summary"], "additionalProperties": False,
              "properties": {
    "contacted_on": {"type": "string", "format": "date", "description": "not in the future"},
    "channel": {"type": "string", "enum": list(CHANNELS), "description": "电话, 邮件, 走访, 会议"},
    "contact_id": {"type": "integer", "description": "a current contact of the customer (or give contact_name)"},
    "contact_name": {"type": "string", "maxLength": 100, "description": "whom, when not one of the contacts"},
    "summary": {"type": "string", "maxLength": MAX_SUMMARY, "description": "several lines allowed"},
    "follow_up_on": {"type": "string", "format": "date",
                     "description": "not before contacted_on; falls due as a to-do of the customer's officer"},
}}
_ENTRY = {"type": "object", "properties": {
    **_NEW_ENTRY["properties"], "id": {"type": "integer"}, "customer_id": {"type": "integer"},
    "contact_id": {"type": ["integer", "null"]}, "follow_up_on": {"type": ["string", "null"], "format": "date"},
    "follow_up_done_at": {"type": ["string", "null"], "format": "date-time"},
    "logged_by": {"type": ["string", "null"]}, "logged_at": {"type": "string", "format": "date-time"}}}
_CUSTOMER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "uscc": {"type": "string"},
    "industry": {"type": "string"}, "size": {"type": "string"}, "segment": {"type": ["string", "null"]},
    "group_name": {"type": ["string", "null"], "description": "the connected group (统一授信)"},
    "listed": {"type": "boolean"}, "credit_record": {"type": "string"}, "grade": {"type": ["string", "null"]},
    "loan_class": {"type": ["string", "null"], "enum": ["normal", "special_mention", "substandard", "doubtful",
                                                        "loss", None], "description": "五级分类"},
    "watchlist": {"type": "boolean"}, "next_review_on": {"type": ["string", "null"], "format": "date"}}}
_AMOUNT = {"type": ["string", "null"], "description": "CNY, two decimals, as a string"}
_CUSTOMER_DETAIL = {"allOf": [{"$ref": "#/components/schemas/Customer"}, {"type": "object", "properties": {
    "exposure": {"type": "object", "properties": {
        "customer_limit": _AMOUNT, "live_facilities": {"type": "integer"}, "group_limit": _AMOUNT,
        "group_members": {"type": "integer"}}},
    "facilities": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_id": {"type": "integer"}, "status": {"type": "string"},
        "limit": _AMOUNT, "margin_pct": _AMOUNT, "term_months": {"type": ["integer", "null"]},
        "grade": {"type": ["string", "null"]}, "decided_at": {"type": "string", "format": "date-time"}}}}}}]}
_KIND = {"type": "string", "enum": list(KINDS),
         "description": "身份与资质证明 KYC papers, 审计报告 audited statements, 评估报告 appraisal report, 合同 contract, "
                        "照片 photo (an image), 其他 other"}
_NEW_DOCUMENT = {"type": "object", "required": ["file", "kind"], "properties": {
    "file": {"type": "string", "contentMediaType": "application/octet-stream",
             "description": "the file: " + ", ".join(t.label for t in TYPES.values()) + ", its bytes matching its "
                            "name's extension; at most CREDIT_DOCUMENT_MAX_BYTES (20 MB by default)"},
    "kind": _KIND,
    "title": {"type": "string", "maxLength": MAX_TITLE, "description": "the file name when left out"},
    "note": {"type": "string", "maxLength": MAX_NOTE, "description": "several lines allowed"},
    "case_id": {"type": "integer", "description": "attach it to this case of the customer instead"},
    "warning_id": {"type": "integer", "description": "with case_id: one of the case's warnings it is about"},
    "checklist_item": {"type": "string", "enum": list(ITEMS),
                       "description": "with case_id: the compliance checklist item it is evidence for"},
}}
_DOCUMENT = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": ["integer", "null"]}, "case_id": {"type": ["integer", "null"]},
    "warning_id": {"type": ["integer", "null"]}, "checklist_item": {"type": ["string", "null"]}, "kind": _KIND,
    "title": {"type": "string"}, "note": {"type": ["string", "null"]},
    "file_name": {"type": "string", "description": "as kept: no path, control or bidi characters"},
    "content_type": {"type": "string", "description": "detected from the bytes, never the client's"},
    "size": {"type": "integer"}, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "uploaded_by": {"type": ["string", "null"]}, "uploaded_at": {"type": "string", "format": "date-time"},
    "deleted_at": {"type": ["string", "null"], "format": "date-time",
                   "description": "deleted documents are listed to compliance and risk managers only"},
    "deleted_by": {"type": ["string", "null"]}, "delete_reason": {"type": ["string", "null"]},
    "content_url": {"type": "string", "description": "GET it for the bytes"}}}
_DOCUMENT_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"},
                 "description": "the document's id"}]
_FACILITY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "customer_id": {"type": "integer"},
    "case_id": {"type": "integer", "description": "the credit application that decided it"},
    "reference": {"type": "string", "description": "that application's reference, which names the facility"},
    "status": {"type": "string", "enum": ["active", "frozen", "exited", "renewed", "rejected"],
               "description": "renewed: replaced by the approved renewal that names it in renews_facility_id"},
    "limit_amount": {"type": "string", "description": "CNY, a decimal as text"},
    "margin_pct": {"type": ["string", "null"], "description": "over the LPR, in percent"},
    "term_months": {"type": ["integer", "null"]}, "grade": {"type": ["string", "null"]},
    "decided_at": {"type": "string", "format": "date-time"},
    "start_on": {"type": ["string", "null"], "format": "date", "description": "the Beijing date it was recorded"},
    "matures_on": {"type": ["string", "null"], "format": "date",
                   "description": "start_on + term_months (a short month's last day when the day is past it)"},
    "days_left": {"type": ["integer", "null"], "description": "to maturity; negative once matured"},
    "renews_facility_id": {"type": ["integer", "null"], "description": "the facility this one replaced (续授信)"},
    "renewal": {"type": "object", "properties": {
        "state": {"type": "string", "enum": ["none", "proposed", "in_progress", "approved", "rejected", "withdrawn"]},
        "case_id": {"type": ["integer", "null"]}, "reference": {"type": ["string", "null"]}}}}}
_CUSTOMER_ID = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"},
                 "description": "the customer's id"}]


_AMOUNT = {"type": "string", "pattern": r"^\d+(\.\d+)?$", "description": "CNY, a decimal number as text"}
_BOOK_ROW = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "uscc": {"type": "string"},
    "industry": {"type": "string"}, "grade": {"type": ["string", "null"]},
    "loan_class": {"type": ["string", "null"], "description": "五级分类; null: not classified yet"},
    "officer": {"type": ["string", "null"], "description": "the officer's user name"},
    "team": {"type": ["string", "null"]}, "live_limit": _AMOUNT,
    "next_review_on": {"type": ["string", "null"], "format": "date"},
    "next_maturity": {"type": ["string", "null"], "format": "date", "description": "of its live facilities"},
    "open_warnings": {"type": "integer"}}}
_BOOK = {"type": "object", "properties": {
    "scope": {"type": "string", "enum": ["own", "branch", "bank"],
              "description": "an officer's own customers, a branch's (its approver), the bank's (a risk manager)"},
    "total": {"type": "integer"}, "live_limit": _AMOUNT, "page": {"type": "integer"}, "per_page": {"type": "integer"},
    "by_class": {"type": "array", "items": {"type": "object", "properties": {
        "loan_class": {"type": "string", "enum": list(CLASSES)}, "customers": {"type": "integer"},
        "live_limit": _AMOUNT}}},
    "customers": {"type": "array", "items": {"$ref": "#/components/schemas/BookRow"}}}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


_DAYS = {"type": "integer", "minimum": 0, "maximum": MAX_DAYS}
_BOOK_FILTERS = [
    _query("officer", {"type": "integer"}, "a manager's view: one of their officers (user id)"),
    _query("team", {"type": "string", "maxLength": 100}, "a manager's view: one of their officers' teams"),
    _query("grade", {"type": "string", "enum": list(RATINGS)}, "the customer's grade"),
    _query("loan_class", {"type": "string", "enum": list(CLASSES)}, "五级分类, or unclassified"),
    _query("industry", {"type": "string", "enum": list(INDUSTRIES)}, "the customer's industry"),
    _query("warning", {"type": "string", "enum": ["1", "0"]}, "1: only customers with an open early warning"),
    _query("review_days", _DAYS, "periodic review due within so many days, or past due"),
    _query("maturity_days", _DAYS, "a live facility maturing within so many days"),
    _query("sort", {"type": "string", "enum": list(SORTS)}, "name (default), limit (largest first), grade (best "
                                                              "first)"),
    _query("page", {"type": "integer", "minimum": 1}, "50 customers a page"),
]
_TRANSFER = {"type": "object", "required": ["officer", "reason"], "additionalProperties": False, "properties": {
    "officer": {"type": "string", "maxLength": 64,
                "description": "the user name of an active officer the caller manages (a branch's approver: of "
                               "that branch; a risk manager: any)"},
    "reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON, "description": "several lines allowed"}}}
_TRANSFERRED = {"type": "object", "properties": {
    "customer_id": {"type": "integer"}, "officer": {"type": "string"},
    "officer_before": {"type": ["string", "null"]},
    "tasks_moved": {"type": "integer", "description": "open tasks of the former officer that went along"}}}


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

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Credit lifecycle API", "version": "1",
             "description": "Bearer tokens from `flask users token USERNAME`. Amounts in CNY."},
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {"Error": _ERROR, "Task": _TASK, "Customer": _CUSTOMER, "CustomerDetail": _CUSTOMER_DETAIL,
                    "Contact": _CONTACT, "NewContact": _NEW_CONTACT, "ContactLogEntry": _ENTRY,
                    "NewContactLogEntry": _NEW_ENTRY, "Document": _DOCUMENT, "NewDocument": _NEW_DOCUMENT,
                    "Facility": _FACILITY, "BookRow": _BOOK_ROW, "Book": _BOOK, "Transfer": _TRANSFER,
                    "Transferred": _TRANSFERRED},
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
        "/customers": {"get": {
            "summary": "Customers by name, credit code or group, 50 a page",
            "parameters": [{"name": "q", "in": "query", "required": False, "schema": {"type": "string", "maxLength": 100}},
                           {"name": "page", "in": "query", "required": False,
                            "schema": {"type": "integer", "minimum": 1}}],
            "responses": _responses(_json({"type": "object", "properties": {
                "customers": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}},
                "total": {"type": "integer"}, "page": {"type": "integer"}}}, "the customers"), 401, 403, 422)}},
        "/customers/{id}": {"get": {
            "summary": "A customer's master data, facilities and exposure", "parameters": _CUSTOMER_ID,
            "responses": _responses(_json({"$ref": "#/components/schemas/CustomerDetail"}, "the customer"),
                                    401, 403, 404)}},
        "/customers/mine": {
            "get": {"summary": "My customers (我的客户): an officer's, or a manager's branch's or the bank's, with "
                               "totals", "parameters": _BOOK_FILTERS,
                    "responses": _responses(_json({"$ref": "#/components/schemas/Book"}, "a page and the totals"),
                                            401, 403, 422)}},
        "/customers/{id}/officer": {
            "post": {"summary": "Assign or transfer the customer to another officer (客户移交; a relationship "
                                "manager); the former officer's open tasks go along", "parameters": _CUSTOMER_ID,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Transfer"}}}},
                     "responses": _responses(_json({"$ref": "#/components/schemas/Transferred"}, "transferred"),
                                             401, 403, 404, 409, 422)}},
        "/customers/{id}/contacts": {
            "get": {"summary": "The customer's contacts (客户联系人), the primary first", "parameters": _CUSTOMER_ID,
                    "responses": _responses(_json({"type": "object", "properties": {"contacts": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Contact"}}}}, "the contacts"),
                        401, 403, 404)},
            "post": {"summary": "Add a contact (the customer's officer or a risk manager)", "parameters": _CUSTOMER_ID,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/NewContact"}}}},
                     "responses": _responses({"201": _json({"$ref": "#/components/schemas/Contact"}, "added")},
                                             401, 403, 404, 422)}},
        "/customers/{id}/facilities": {
            "get": {"summary": "The customer's facilities (授信额度), newest first, with their dates and renewal",
                    "parameters": _CUSTOMER_ID,
                    "responses": _responses(_json({"type": "object", "properties": {"facilities": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Facility"}}}}, "the facilities"),
                        401, 403, 404)}},
        "/customers/{id}/contact-log": {
            "get": {"summary": "The customer's contact log (联系记录), newest first",
                    "parameters": [*_CUSTOMER_ID, {"name": "q", "in": "query", "required": False,
                                                   "schema": {"type": "string", "maxLength": 100},
                                                   "description": "entries whose summary or person holds it"}],
                    "responses": _responses(_json({"type": "object", "properties": {"entries": {
                        "type": "array", "items": {"$ref": "#/components/schemas/ContactLogEntry"}}}}, "the log"),
                        401, 403, 404, 422)},
            "post": {"summary": "Log a contact with the customer (the customer's officer or a risk manager)",
                     "parameters": _CUSTOMER_ID,
                     "requestBody": {"required": True, "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/NewContactLogEntry"}}}},
                     "responses": _responses({"201": _json({"$ref": "#/components/schemas/ContactLogEntry"},
                                                           "logged")}, 401, 403, 404, 422)}},
        "/customers/{id}/documents": {
            "get": {"summary": "The customer's documents (资料), its cases' and warnings' too, newest first",
                    "parameters": _CUSTOMER_ID,
                    "responses": _responses(_json({"type": "object", "properties": {"documents": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Document"}}}}, "the documents"),
                        401, 403, 404)},
            "post": {"summary": "Attach a document (the customer's officer or the case's, a risk manager, compliance)",
                     "parameters": _CUSTOMER_ID,
                     "requestBody": {"required": True, "content": {"multipart/form-data": {
                         "schema": {"$ref": "#/components/schemas/NewDocument"}}}},
                     "responses": _responses({"201": _json({"$ref": "#/components/schemas/Document"}, "attached")},
                                             401, 403, 404, 422)}},
        "/documents/{id}": {"get": {
            "summary": "A document's metadata", "parameters": _DOCUMENT_ID,
            "responses": _responses(_json({"$ref": "#/components/schemas/Document"}, "the document"), 401, 403, 404)}},
        "/documents/{id}/content": {"get": {
            "summary": "A document's bytes (Content-Disposition: attachment; the type detected from the bytes)",
            "parameters": _DOCUMENT_ID,
            "responses": _responses({"200": {"description": "the file", "headers": {"X-Content-SHA256": {
                "description": "the SHA-256 of the bytes, as kept", "schema": {"type": "string"}}},
                "content": {"application/octet-stream": {"schema": {"type": "string",
                                                                    "contentMediaType": "application/octet-stream"}}}}},
                401, 403, 404)}},
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
