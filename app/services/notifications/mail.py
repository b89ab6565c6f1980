"""Sending the outbox by SMTP (``CREDIT_MAIL_SERVER``). Without a server nothing is sent: the
e-mails stay in the outbox, which administrators read on the outbox page (development)."""

from __future__ import annotations

import re
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
from app.services.notifications import mail_text
from app.services.shared import one_by_one

MAX_ATTEMPTS = 5


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _message(mail: OutboxMail) -> EmailMessage:
    """The e-mail to send. A subject carrying a line break or another control character (a customer's name
    as typed) is sent on one line; an address carrying one is refused (``ValueError``): it is no address."""
    if _CONTROL.search(mail.to_address):
        raise ValueError(_("The address %(address)r holds a control character.", address=mail.to_address))
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = _CONTROL.sub(" ", mail.subject).strip()
    message.set_content(mail.body)
    return message


# The server answered, but not for this e-mail: tried again on the next runs, up to MAX_ATTEMPTS.
_REFUSED = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)
# The connection is gone: the e-mail is not to blame, and the others cannot go either.
_GONE = (OSError, smtplib.SMTPException)


def send_pending(limit: int = 100) -> int:
    """Send up to ``limit`` pending e-mails over one SMTP connection; returns how many were sent.
    A refused address fails that e-mail only (after ``MAX_ATTEMPTS``); an e-mail that cannot even be
    written (an address with a line break, text that cannot be encoded) fails at once with its reason,
    shown on the outbox page; a server that cannot be reached leaves them all pending."""
    if not configured():
        return 0
    pending = db.session.scalars(
        select(OutboxMail).where(OutboxMail.status == "pending").order_by(OutboxMail.id).limit(limit)
    ).all()
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
                sent += _send_one(smtp, mail)
    except (OSError, smtplib.SMTPException) as exc:  # the server is down or refused us: try again later
        db.session.rollback()
        current_app.logger.warning("SMTP %s unavailable: %s", config["MAIL_SERVER"], exc)
    return sent


def _send_one(smtp: smtplib.SMTP, mail: OutboxMail) -> bool:
    """Send one e-mail and keep its outcome (committed); whatever fails with it is its own failure."""
    mail_id = mail.id
    mail.attempts += 1
    try:
        smtp.send_message(_message(mail))
    except _REFUSED as exc:
        mail.error = str(exc)[:500]
        mail.status = "failed" if mail.attempts >= MAX_ATTEMPTS else "pending"
    except _GONE:  # (SMTP's errors are OSErrors too: the refusals above are told apart first)
        raise
    except Exception as exc:  # noqa: BLE001 - this e-mail cannot be sent as it is: it fails, the others go
        why = one_by_one.failed("e-mail", mail_id, exc)
        failed = db.session.get(OutboxMail, mail_id)
        assert failed is not None  # mails are never deleted
        failed.attempts += 1
        failed.status, failed.error = "failed", why
    else:
        mail.status, mail.sent_at, mail.error = "sent", utcnow(), None
        db.session.commit()
        return True
    db.session.commit()
    return False


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
    rows = db.session.scalars(
        select(OutboxMail).order_by(OutboxMail.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    locale = str(get_locale())
    return [Outgoing(m, *mail_text.mail_in(m, locale)) for m in rows], total
