"""Sending the outbox by SMTP (``CREDIT_MAIL_SERVER``). Without a server nothing is sent: the
e-mails stay in the outbox, which administrators read on the outbox page (development)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.errors import NotAuthorized
from app.extensions import db
from app.models import OutboxMail, User
from app.models.base import utcnow
from app.services import notifications

MAX_ATTEMPTS = 5


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def _message(mail: OutboxMail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def send_pending(limit: int = 100) -> int:
    """Send up to ``limit`` pending e-mails over one SMTP connection; returns how many were sent.
    A refused address fails that e-mail only; a server that cannot be reached leaves them all pending."""
    if not configured():
        return 0
    pending = db.session.scalars(select(OutboxMail).where(OutboxMail.status == "pending")
                                 .order_by(OutboxMail.id).limit(limit)).all()
    if not pending:
        return 0
    config = current_app.config
    sent = 0
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            for mail in pending:
                mail.attempts += 1
                try:
                    smtp.send_message(_message(mail))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                    mail.error = str(exc)[:500]
                    mail.status = "failed" if mail.attempts >= MAX_ATTEMPTS else "pending"
                else:
                    mail.status, mail.sent_at, mail.error = "sent", utcnow(), None
                    sent += 1
                db.session.commit()
    except (OSError, smtplib.SMTPException) as exc:  # the server is down or refused us: try again later
        db.session.rollback()
        current_app.logger.warning("SMTP %s unavailable: %s", config["MAIL_SERVER"], exc)
    return sent


@dataclass(frozen=True)
class Outgoing:
    """An e-mail of the outbox as the page shows it: its subject and body in the reader's language (the
    e-mail itself carries both)."""

    mail: OutboxMail
    subject: str
    body: str


def outbox(admin: User, *, page: int = 1, per_page: int = 50) -> tuple[list[Outgoing], int]:
    """The e-mails, newest first (administrators), each in the current language."""
    if admin.role != "admin":
        raise NotAuthorized(_("Only an administrator may read the outbox."))
    total = db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id.desc())
                              .offset((page - 1) * per_page).limit(per_page)).all()
    locale = str(get_locale())
    return [Outgoing(m, *notifications.mail_in(m, locale)) for m in rows], total
