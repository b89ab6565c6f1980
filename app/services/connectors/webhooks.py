"""Events a source pushes (a signed webhook): ``POST /api/v1/connectors/<source>/events`` with the page a pull
would get (``{"events": [...]}``), signed with the source's secret (``CREDIT_CONNECTOR_<SOURCE>_SECRET``).

The signature is HMAC-SHA256 over ``<timestamp>.<body>`` (the body's bytes as sent), in hex, in the header
``X-Signature: sha256=<hex>``, the timestamp (Unix seconds) in ``X-Timestamp``. A request whose signature does not
verify, or whose timestamp is more than ``SKEW`` from now (a replay of an old delivery), is refused with 401 and
nothing is kept. A delivery replayed within the window stores nothing new: its events' ids were received
already (duplicates, counted). A paused source answers 503, so that the provider delivers again later. What is
kept and stored is what a pull of the same events keeps and stores (``intake.receive``, ``push``), and the
customers' warning check runs at once."""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import text, update

from app.errors import DomainError, InvalidInput, NotFound, Unavailable
from app.extensions import db
from app.inputs import json_body
from app.models import ConnectorSource
from app.models.base import utcnow
from app.services.connectors import intake, polling, provider
from app.services.connectors.sources import SOURCES

SKEW = 300  # seconds a push's timestamp may be from now
LOCK_SECONDS = 5  # a push waits this long for a pull holding its source (PostgreSQL), then is answered 503
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds, ASCII digits only
_SIGNATURE = re.compile(r"sha256=[0-9a-f]{64}")
_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :timeout, true)")  # to the transaction's end
MAX_PUSH_BYTES = 8 * 1024 * 1024  # one push's body, at most (a page a pull may get)


class BadSignature(DomainError):
    status = 401


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Signature`` of ``body`` pushed at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def receive(key: str, body: bytes, timestamp: str, signature: str, request_id: str | None) -> intake.Received:
    """Verify and take one push of ``key``'s events (committed): ``timestamp`` and ``signature`` are its
    ``X-Timestamp`` and ``X-Signature``, ``request_id`` its ``X-Request-Id``."""
    if key not in SOURCES:
        raise NotFound(_("No such data source."))
    secret = current_app.config["CONNECTOR_SECRETS"].get(key)
    if not secret:
        raise BadSignature(_("This source takes no pushes: no secret is set for it."))
    if len(body) > MAX_PUSH_BYTES:
        raise InvalidInput(_("The push is too large."), {"body": _("at most %(n)s bytes", n=MAX_PUSH_BYTES)})
    _verify(secret, body, timestamp, signature)
    try:
        page = json_body.loads(body)  # its depth, numbers and text held to the rules of every JSON body
    except ValueError:
        raise InvalidInput(_("The push is not JSON."), {"body": _("not JSON")}) from None
    connector = SOURCES[key]
    try:
        events, _after = connector.page(page)
    except provider.ProviderError as exc:
        raise InvalidInput(_("The push is not a page of events."), {"events": str(exc.message)}) from None
    polling.source_row(key)
    if (
        db.session.get_bind().dialect.name == "postgresql"
    ):  # a pull holding the source answers 503, not a hang
        db.session.execute(_LOCK_TIMEOUT, {"timeout": f"{LOCK_SECONDS * 1000}ms"})
    # The source's row written first, to the commit: locked (PostgreSQL), or the database's write lock taken
    # (SQLite, where FOR UPDATE is nothing): a pause, a pull or another push of the source waits for this one, and
    # two pushes of the same events never both find them new.
    db.session.execute(
        update(ConnectorSource).where(ConnectorSource.key == key).values(last_attempt_at=utcnow())
    )
    row = db.session.get(ConnectorSource, key, populate_existing=True)
    assert row is not None  # made just above
    if row.paused:
        db.session.rollback()
        raise Unavailable(_("The source is paused: deliver again later."), retry_after=300)
    received = intake.receive(row, connector, events, "push", request_id or None)
    row.last_success_at = utcnow()
    db.session.commit()
    return received


def _verify(secret: str, body: bytes, timestamp: str, signature: str) -> None:
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        raise BadSignature(_("A signed push carries the headers X-Timestamp and X-Signature."))
    if abs(time.time() - int(timestamp)) > SKEW:
        raise BadSignature(_("The push's timestamp is more than %(n)s seconds from now.", n=SKEW))
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode()):
        raise BadSignature(_("The signature does not match the push."))
