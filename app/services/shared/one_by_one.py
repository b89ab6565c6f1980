"""Loops over many items (due timers, reviews, staffing gaps, warned customers, e-mails): one item's failure
is that item's, never a stop for the others.

A scheduled job walks many items, each in its own transaction. Whatever one item raises is rolled back,
logged with its trace and handed back to the loop as a reason to record on that item (a failed timer and its
``engine.error``, a failed e-mail, a skipped customer), and the loop goes on. Only the database itself being
away or busy (``transient``) ends the run: every other item would fail the same way, and none of them is to
blame, so they all stay as they were for the next run.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from app.errors import DomainError, Unavailable
from app.extensions import db


def transient(exc: BaseException) -> bool:
    """The database cannot be reached, or a lock could not be had in time: not the item's fault."""
    return isinstance(exc, (OperationalError, InterfaceError, Unavailable)) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


def reason(exc: BaseException) -> str:
    """What to record on the item: a domain error's own message, else the exception's kind and text."""
    text = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
    return text[:500]


def failed(what: str, key: object, exc: Exception) -> str:
    """Roll back the item's transaction and log the failure with its trace; returns the reason to record on
    it. A transient failure is raised again after the rollback: the run ends, its items wait for the next."""
    db.session.rollback()
    if transient(exc):
        raise exc
    current_app.logger.exception("%s %s failed; the others go on", what, key)
    return reason(exc)
