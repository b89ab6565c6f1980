"""The record: the hash-chained audit log and the documents (credit memos, approval certificates) kept
exactly as they were rendered."""

from app.models.audit.audit import AuditEvent
from app.models.audit.document import CaseDocument

__all__ = [
    "AuditEvent",
    "CaseDocument",
]
