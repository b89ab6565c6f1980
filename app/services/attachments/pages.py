"""What the pages show of attached documents, each gathered by one call: a customer's documents section, a
case's (with its compliance checklist's evidence and its warnings), a document's own page, and the upload form.

A user whose role reads no documents (administrators, designers) gets None for a section: the customer and case
pages, which they may open, then show no documents at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import Attachment, Customer, EarlyWarning, ProcessInstance, User
from app.services.attachments import attachments, checklist, rights, sniff
from app.services.attachments.checklist import ChecklistItem


@dataclass(frozen=True)
class DocumentList:
    rows: list[Attachment]
    may_attach: bool
    shows_deleted: bool


@dataclass(frozen=True)
class ChecklistEvidence:
    item: ChecklistItem
    evidence: str | None  # the evidence text compliance wrote in the checklist, once submitted
    rows: list[Attachment]


@dataclass(frozen=True)
class CaseDocuments(DocumentList):
    checklist: list[ChecklistEvidence] = field(default_factory=list)  # empty: the case has no checklist


def for_customer(user: User, customer: Customer) -> DocumentList | None:
    """The customer's documents section (its cases' and warnings' documents too)."""
    if not rights.may_read(user):
        return None
    return DocumentList(
        attachments.of_customer(user, customer.id),
        rights.may_attach_to_customer(user, customer),
        rights.may_see_deleted(user),
    )


def for_case(user: User, instance: ProcessInstance, data: dict[str, Any]) -> CaseDocuments | None:
    """The case's documents section; for a case compliance signs off, each checklist item with the evidence
    written for it (``data``: the case's data as its page reads it) and the documents attached against it."""
    if not rights.may_read(user):
        return None
    rows = attachments.of_case(user, instance.id)
    items = []
    if checklist.has_checklist(instance.process_id):
        items = [
            ChecklistEvidence(
                item,
                data.get(item.evidence_field) or None,
                [r for r in rows if r.checklist_item == code and r.deleted_at is None],
            )
            for code, item in checklist.ITEMS.items()
        ]
    return CaseDocuments(rows, rights.may_attach_to_case(user, instance), rights.may_see_deleted(user), items)


@dataclass(frozen=True)
class DocumentPage:
    attachment: Attachment
    file_type: sniff.FileType | None
    may_delete: bool
    checklist_item: ChecklistItem | None

    @property
    def previewable(self) -> bool:
        return attachments.previewable(self.attachment)


def document_page(user: User, attachment_id: int) -> DocumentPage:
    """A document's page: what it is, what it is about, its preview (PDF, images) and the delete form."""
    attachment = rights.readable(user, attachment_id)
    return DocumentPage(
        attachment,
        sniff.BY_MIMETYPE.get(attachment.content_type),
        rights.may_delete(user, attachment),
        checklist.ITEMS.get(attachment.checklist_item or ""),
    )


@dataclass(frozen=True)
class UploadForm:
    customer: Customer | None
    instance: ProcessInstance | None
    warnings: list[EarlyWarning]
    checklist: list[ChecklistItem]
    kinds: dict
    limit: str  # the largest file, as people read it
    accepted: str  # the kinds of file accepted


def _form(customer: Customer | None, instance: ProcessInstance | None = None) -> UploadForm:
    warnings: list[EarlyWarning] = []
    items: list[ChecklistItem] = []
    if instance is not None:
        warnings = list(
            db.session.scalars(
                select(EarlyWarning).where(EarlyWarning.instance_id == instance.id).order_by(EarlyWarning.id)
            )
        )
        items = list(checklist.ITEMS.values()) if checklist.has_checklist(instance.process_id) else []
    return UploadForm(
        customer,
        instance,
        warnings,
        items,
        attachments.KINDS,
        attachments.size_text(attachments.max_bytes()),
        sniff.accepted_labels(),
    )


def customer_form(user: User, customer_id: int) -> UploadForm:
    """The form to attach a document to a customer (only for those who may)."""
    return _form(rights.customer_to_attach(user, customer_id))


def case_form(user: User, case_id: int) -> UploadForm:
    """The form to attach a document to a case, one of its warnings or a checklist item (only for those who may)."""
    instance = rights.case_to_attach(user, case_id)
    return _form(instance.customer if instance.customer_id else None, instance)
