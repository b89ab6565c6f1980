"""Notifications: what a person is told in the app, and the e-mails that carry it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

# Every kind of notification, each worded by ``services.notifications.messages`` and named by its vocabulary code
# notice_<kind> (``web.vocabulary.NOTICE_KINDS``); ``services.notifications`` stores no other kind.
# new: a task arrived in your queue; returned: your case came back to you; delegated: a colleague or a
# manager handed you a task; escalated: an overdue approval arrived at your level; overdue: a task you
# held passed its due time and went up a level; chain_broken: the audit log failed its daily check;
# withdrawn: a case you held a task of was withdrawn; unstaffed (to administrators): a case cannot go on, nobody
# may act on it; follow_up: a follow-up of the contact log fell due (to the customer's officer); renewal: a
# renewal (续授信) was proposed to you; transfer_in / transfer_out: customers were transferred to you / away from
# you (客户移交); training_expiring / training_lapsed: a required course of yours is about to lapse / lapsed;
# inspection_overdue / inspection_escalated: a post-loan inspection passed its due date (to the officer / the
# manager); model_drift: the monthly scoring model check passed a threshold (to model risk).
KINDS = (
    "new",
    "returned",
    "delegated",
    "escalated",
    "overdue",
    "chain_broken",
    "withdrawn",
    "unstaffed",
    "follow_up",
    "renewal",
    "transfer_in",
    "transfer_out",
    "training_expiring",
    "training_lapsed",
    "inspection_overdue",
    "inspection_escalated",
    "model_drift",
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
