"""Documents in the OpenAPI document: a customer's documents (资料) listed and attached (to the customer, or to
one of its cases, a warning of the case or a compliance checklist item), and one document's metadata and
bytes. What may be attached (kinds, file types, checklist items, lengths) is read from the attachment rules."""

from app.services.attachments.attachments import KINDS, MAX_NOTE, MAX_TITLE
from app.services.attachments.checklist import ITEMS
from app.services.attachments.sniff import TYPES
from app.web.api.openapi.customers import CUSTOMER_ID
from app.web.api.openapi.shared import json_answer, responses

_KIND = {
    "type": "string",
    "enum": list(KINDS),
    "description": "身份与资质证明 KYC papers, 审计报告 audited statements, 评估报告 appraisal report, 合同 contract, "
    "照片 photo (an image), 其他 other",
}
NEW_DOCUMENT = {
    "type": "object",
    "required": ["file", "kind"],
    "properties": {
        "file": {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "the file: "
            + ", ".join(t.label for t in TYPES.values())
            + ", its bytes matching its "
            "name's extension; at most CREDIT_DOCUMENT_MAX_BYTES (20 MB by default)",
        },
        "kind": _KIND,
        "title": {"type": "string", "maxLength": MAX_TITLE, "description": "the file name when left out"},
        "note": {"type": "string", "maxLength": MAX_NOTE, "description": "several lines allowed"},
        "case_id": {"type": "integer", "description": "attach it to this case of the customer instead"},
        "warning_id": {
            "type": "integer",
            "description": "with case_id: one of the case's warnings it is about",
        },
        "checklist_item": {
            "type": "string",
            "enum": list(ITEMS),
            "description": "with case_id: the compliance checklist item it is evidence for",
        },
    },
}
DOCUMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "customer_id": {"type": ["integer", "null"]},
        "case_id": {"type": ["integer", "null"]},
        "warning_id": {"type": ["integer", "null"]},
        "checklist_item": {"type": ["string", "null"]},
        "kind": _KIND,
        "title": {"type": "string"},
        "note": {"type": ["string", "null"]},
        "file_name": {"type": "string", "description": "as kept: no path, control or bidi characters"},
        "content_type": {"type": "string", "description": "detected from the bytes, never the client's"},
        "size": {"type": "integer"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "uploaded_by": {"type": ["string", "null"]},
        "uploaded_at": {"type": "string", "format": "date-time"},
        "deleted_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "deleted documents are listed to compliance and risk managers only",
        },
        "deleted_by": {"type": ["string", "null"]},
        "delete_reason": {"type": ["string", "null"]},
        "content_url": {"type": "string", "description": "GET it for the bytes"},
    },
}
_DOCUMENT_ID = [
    {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
        "description": "the document's id",
    }
]

CUSTOMER_DOCUMENTS = {
    "get": {
        "summary": "The customer's documents (资料), its cases' and warnings' too, newest first",
        "parameters": CUSTOMER_ID,
        "responses": responses(
            json_answer(
                {
                    "type": "object",
                    "properties": {
                        "documents": {"type": "array", "items": {"$ref": "#/components/schemas/Document"}}
                    },
                },
                "the documents",
            ),
            401,
            403,
            404,
        ),
    },
    "post": {
        "summary": "Attach a document (the customer's officer or the case's, a risk manager, compliance)",
        "parameters": CUSTOMER_ID,
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": {"$ref": "#/components/schemas/NewDocument"}}},
        },
        "responses": responses(
            {"201": json_answer({"$ref": "#/components/schemas/Document"}, "attached")}, 401, 403, 404, 422
        ),
    },
}
METADATA = {
    "get": {
        "summary": "A document's metadata",
        "parameters": _DOCUMENT_ID,
        "responses": responses(
            json_answer({"$ref": "#/components/schemas/Document"}, "the document"), 401, 403, 404
        ),
    }
}
CONTENT = {
    "get": {
        "summary": "A document's bytes (Content-Disposition: attachment; the type detected from the bytes)",
        "parameters": _DOCUMENT_ID,
        "responses": responses(
            {
                "200": {
                    "description": "the file",
                    "headers": {
                        "X-Content-SHA256": {
                            "description": "the SHA-256 of the bytes, as kept",
                            "schema": {"type": "string"},
                        }
                    },
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "contentMediaType": "application/octet-stream"}
                        }
                    },
                }
            },
            401,
            403,
            404,
        ),
    }
}
