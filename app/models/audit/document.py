"""Credit memos and approval certificates as rendered and kept with their case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow


class CaseDocument(Model):
    """A PDF rendered from a case at one version of it. Rows are only added: the version a person
    signed stays exactly as it was, whatever the case's data does later."""

    __tablename__ = "case_document"
    __table_args__ = (
        Index("ix_case_document_lookup", "instance_id", "kind", "language", "instance_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # credit_memo | approval_certificate
    language: Mapped[str] = mapped_column(String(8))  # zh_CN | en
    instance_version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    rendered_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)

    rendered_by = relationship("User")
