"""The people a customer is dealt through (客户联系人) and the record of each contact with it (联系记录)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow


class CustomerContact(Model):
    """One person of the customer: a legal representative, a financial controller… Removed ones are kept
    (``removed_at``): the log and the audit trail still name them."""

    __tablename__ = "customer_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))  # contacts.ROLES
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    id_type: Mapped[str | None] = mapped_column(String(16))  # contacts.ID_TYPES
    id_number: Mapped[str | None] = mapped_column(String(32))  # shown masked; whole only in the edit form
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ContactLogEntry(Model):
    """One contact with the customer: a call, an e-mail, a visit or a meeting, and the follow-up it asks
    for, which falls due as a to-do of the customer's officer."""

    __tablename__ = "contact_log_entry"
    __table_args__ = (Index("ix_contact_log_follow_up_open", "follow_up_on", "follow_up_done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    contacted_on: Mapped[date]
    channel: Mapped[str] = mapped_column(String(16))  # contact_log.CHANNELS
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("customer_contact.id"))
    contact_name: Mapped[str] = mapped_column(String(100))  # who: the contact's name then, or free text
    summary: Mapped[str] = mapped_column(Text)
    follow_up_on: Mapped[date | None]
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    logged_at: Mapped[datetime] = mapped_column(default=utcnow)
    follow_up_notified_at: Mapped[datetime | None]  # the officer was told (once) that it fell due
    follow_up_done_at: Mapped[datetime | None]
    follow_up_done_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    customer = relationship("Customer")
    contact = relationship("CustomerContact")
    logged_by = relationship("User", foreign_keys=[logged_by_id])
    follow_up_done_by = relationship("User", foreign_keys=[follow_up_done_by_id])
