"""An e-mail's text in both languages, Chinese first (written once, when the notification is stored), and
the reader's half cut back out of what was sent (the outbox page)."""

from __future__ import annotations

from flask_babel import force_locale

from app.extensions import db
from app.models import Notification, OutboxMail
from app.services.notifications.messages import body, subject

MAIL_LOCALES = ("zh_CN", "en")  # e-mails carry both languages, Chinese first
SUBJECT_LENGTH = OutboxMail.subject.type.length


def written(note: Notification) -> tuple[str, str]:
    """The subject (cut to fit its column) and body of ``note``'s e-mail, in both languages."""
    return _fitted(_in_both(lambda: subject(note)), SUBJECT_LENGTH), _in_both(lambda: body(note), "\n\n")


def _halves(render) -> list[str]:
    texts = []
    for locale in MAIL_LOCALES:
        with force_locale(locale):
            texts.append(render())
    return texts


def _in_both(render, sep: str = " / ") -> str:
    return sep.join(_halves(render))


def _fitted(text: str, length: int) -> str:
    """At most ``length`` characters (a long customer name in both languages would not fit the column)."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _half_sent(sent: str, render, sep: str, locale: str) -> str:
    """The ``locale`` half of ``sent``, a text ``_in_both`` wrote: its halves are rendered again and found in
    it in order, and the reader's is cut out of what was sent (a subject cut to fit stays cut). A text the
    halves are not found in (a wording changed since) is shown whole, as it was sent."""
    wanted = [i for i, each in enumerate(MAIL_LOCALES) if each.split("_")[0] == str(locale).split("_")[0]]
    if not wanted:
        return sent
    parts, rest = [], sent
    for half in _halves(render)[:-1]:
        if not rest.startswith(half + sep):
            return sent
        parts.append(half)
        rest = rest[len(half + sep) :]
    return (parts + [rest])[wanted[0]]


def mail_in(mail: OutboxMail, locale: str) -> tuple[str, str]:
    """The subject and body of an e-mail in ``locale``, cut from what was sent in both languages (the outbox
    page shows the reader's half); one whose notification is gone, whole."""
    note = db.session.get(Notification, mail.notification_id) if mail.notification_id else None
    if note is None:
        return mail.subject, mail.body
    return (
        _half_sent(mail.subject, lambda: subject(note), " / ", locale),
        _half_sent(mail.body, lambda: body(note), "\n\n", locale),
    )
