"""Pulling a source (beat every ``CREDIT_CONNECTOR_POLL_SECONDS``, or ``flask connectors poll``): page after page
from its cursor, each page's events kept and stored with the cursor after it in one transaction, so a pull that
dies resumes where its last page was committed and a page is never taken twice. A failure (the source slow, down,
answering what is not a page) is written on the source's row, with the breaker's state, for the health page; the
next pull tries again. A paused source is not pulled; one pull of a source at a time (its row locked: another
finds it busy)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pybreaker
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.language import kept, stored
from app.models import ConnectorSource
from app.models.base import utcnow
from app.services.connectors import intake, provider
from app.services.connectors.sources import SOURCES

PAGE_SIZE = 200
log = logging.getLogger(__name__)
MAX_PAGES = 50  # one pull takes at most this many pages; the next goes on


@dataclass
class Pulled:
    source: str
    pages: int = 0
    stored: int = 0
    duplicates: int = 0
    malformed: int = 0
    unknown: int = 0
    skipped: str | None = None  # paused | busy | not configured
    error: str | None = None


def configured() -> list[str]:
    """The sources with an endpoint, in the order they are listed."""
    urls = current_app.config["CONNECTOR_URLS"]
    return [key for key in SOURCES if urls.get(key)]


def source_row(key: str) -> ConnectorSource:
    """The source's row, made on first use (committed)."""
    row = db.session.get(ConnectorSource, key)
    if row is None:
        db.session.add(ConnectorSource(key=key, paused=False, failures=0, breaker="closed"))
        try:
            db.session.commit()
        except IntegrityError:  # made meanwhile by another (the beat's pull, the page)
            db.session.rollback()
        row = db.session.get(ConnectorSource, key)
    assert row is not None
    return row


def poll_all() -> list[Pulled]:
    return [poll(key) for key in configured()]


def poll(key: str) -> Pulled:
    """Pull ``key`` from its cursor until it has nothing new (or ``MAX_PAGES``)."""
    connector, result = SOURCES[key], Pulled(key)
    if not current_app.config["CONNECTOR_URLS"].get(key):
        result.skipped = "not configured"
        return result
    source_row(key)
    while result.pages < MAX_PAGES:
        row = db.session.scalar(
            select(ConnectorSource).where(ConnectorSource.key == key).with_for_update(skip_locked=True)
        )
        if row is None or row.paused:
            result.skipped = result.skipped or ("busy" if row is None else "paused")
            db.session.rollback()
            return result
        row.last_attempt_at = utcnow()
        try:
            page = provider.get(key, connector.path, {"after": row.cursor or "", "limit": str(PAGE_SIZE)})
            events, after = connector.page(page.body)
        except (provider.ProviderError, pybreaker.CircuitBreakerError) as exc:
            result.error = _failed(row, exc)
            db.session.commit()
            return result
        try:
            received = intake.receive(row, connector, events, "pull", page.request_id)
        except Exception as exc:  # noqa: BLE001 - this page could not be stored: said on the source, not raised
            log.exception("page of %s not stored", key)
            db.session.rollback()
            row = source_row(key)
            result.error = _failed(
                row,
                provider.ProviderError(
                    kept("a page could not be stored (%(error)s)", error=type(exc).__name__)
                ),
            )
            db.session.commit()
            return result
        before, row.cursor = row.cursor, after if after is not None else row.cursor
        row.last_success_at, row.failures, row.breaker = utcnow(), 0, provider.breaker_state(key)
        db.session.commit()
        result.pages += 1
        result.stored += len(received.stored)
        result.duplicates += received.duplicates
        result.malformed += received.malformed
        result.unknown += received.unknown
        if len(events) < PAGE_SIZE or after is None or after == before:  # nothing more for now
            break
    return result


def _failed(row: ConnectorSource, exc: Exception) -> str:
    """Write the failure on the source (a kept message: the page shows it in the reader's language); its
    words in the current language."""
    if isinstance(exc, provider.ProviderError):
        message = exc.message
    elif isinstance(exc.__context__, provider.ProviderError):  # the failure that tripped the breaker
        message = kept(
            "%(error)s; the circuit breaker opened: no request until it resets", error=exc.__context__.message
        )
    else:  # open: no request made
        message = kept("the circuit breaker is open after repeated failures: no request until it resets")
    row.last_error, row.last_error_at = stored(message), utcnow()
    row.failures += 1
    row.breaker = provider.breaker_state(row.key)
    return str(message)
