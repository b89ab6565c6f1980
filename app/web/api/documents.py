"""Documents in the JSON API: a customer's documents (资料) listed and attached, one document's metadata and its
bytes. Routed in ``app.web.api.api``."""

from __future__ import annotations

from flask import g, jsonify, request, url_for

from app.extensions import talisman
from app.services.attachments import attachments
from app.web.api.shared import token_required
from app.web.input_guard import lines_allowed
from app.web.monitoring.attachments import file_response, uploaded
from app.web.security_headers import DATA_ONLY_POLICY


def _time(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def _document_json(a) -> dict:
    """An attached document's metadata; its bytes at ``content_url``."""
    return {
        "id": a.id,
        "customer_id": a.customer_id,
        "case_id": a.instance_id,
        "warning_id": a.warning_id,
        "checklist_item": a.checklist_item,
        "kind": a.kind,
        "title": a.title,
        "note": a.note,
        "file_name": a.file_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_by": a.uploaded_by.username if a.uploaded_by else None,
        "uploaded_at": _time(a.uploaded_at),
        "deleted_at": _time(a.deleted_at),
        "deleted_by": a.deleted_by.username if a.deleted_by else None,
        "delete_reason": a.delete_reason,
        "content_url": url_for("api.document_content", attachment_id=a.id),
    }


@token_required
def list_documents(customer_id: int):
    """The customer's documents (资料), its cases' and warnings' too, newest first."""
    return jsonify(documents=[_document_json(a) for a in attachments.of_customer(g.api_user, customer_id)])


@lines_allowed("note")
@token_required
def attach_document(customer_id: int):
    """Attach a document (multipart/form-data: ``file`` and the fields); ``case_id`` attaches it to one of the
    customer's cases. A refused file is a 422 naming it and why."""
    attachment = attachments.attach_via_customer(g.api_user, customer_id, uploaded(), request.form)
    return jsonify(_document_json(attachment)), 201


@token_required
def get_document(attachment_id: int):
    return jsonify(_document_json(attachments.get(g.api_user, attachment_id)))


@talisman(content_security_policy=DATA_ONLY_POLICY)
@token_required
def document_content(attachment_id: int):
    """The file's bytes, as an attachment, with the type detected when it was attached."""
    attachment, data = attachments.content(g.api_user, attachment_id)
    return file_response(attachment, data, inline=False)
