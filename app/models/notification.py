"""Notifications: what a person is told in the app, and the e-mails that carry it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

# new: a task arrived in your queue; returned: your case came back to you; delegated: a colleague or a
# manager handed you a task; escalated: an overdue approval arrived at your level; overdue: a task you
# held passed its due time and went up a level; chain_broken: the audit log failed its daily check;
# unstaffed (to administrators): a case cannot go on, nobody may act on it; follow_up: a follow-up of the
# contact log fell due (to the customer's officer); transfer_in / transfer_out: customers were transferred to
# you / away from you (客户移交).
KINDS = (
    "new",
    "returned",
    "delegated",
    "escalated",
    "overdue",
    "chain_broken",
    "unstaffed",
    "follow_up",
    "transfer_in",
    "transfer_out",
)


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    # What the message names, fixed when it was sent: case reference, customer, task, level, who.
    params: Mapped[dict] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user = relationship("User")


class OutboxMail(Model):
    """An e-mail waiting to be sent, sent, or failed; without an SMTP server it stays here (the
    development outbox page shows it)."""

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_status", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notification.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
