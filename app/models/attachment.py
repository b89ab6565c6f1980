"""Files attached to a customer, a case, a warning or a compliance checklist item (资料): their metadata only.

The bytes live in the document store (``app.services.attachments.storage``), keyed by their SHA-256; never in
the database. Not to be confused with ``CaseDocument``, the memos and certificates the system renders itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow


class Attachment(Model):
    """One uploaded file and what it is about. Deleting is soft: the row stays with who deleted it, when and
    why (``deleted_at``); officers no longer see it, compliance and risk managers do."""

    __tablename__ = "attachment"
    __table_args__ = (
        Index("ix_attachment_customer", "customer_id", "uploaded_at"),
        Index("ix_attachment_instance", "instance_id", "uploaded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Every file of a customer's case or warning carries the customer too (the customer page lists them all);
    # a case without a customer (a sampling review) has none.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("early_warning.id", ondelete="SET NULL"))
    checklist_item: Mapped[str | None] = mapped_column(String(40))  # attachments.checklist.ITEMS
    kind: Mapped[str] = mapped_column(String(24))  # attachments.attachments.KINDS
    title: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(
        String(255)
    )  # as sanitised: no path, no control or bidi characters
    content_type: Mapped[str] = mapped_column(String(100))  # detected from the bytes, never the client's
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # also the key in the document store
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    delete_reason: Mapped[str | None] = mapped_column(Text)

    customer = relationship("Customer")
    instance = relationship("ProcessInstance")
    warning = relationship("EarlyWarning")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])
    deleted_by = relationship("User", foreign_keys=[deleted_by_id])
