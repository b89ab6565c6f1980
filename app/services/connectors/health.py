"""Each external source's health for the administrator (外部数据源状态): configured or not, paused, the last
success and failure, how far behind it is, the breaker; and what an administrator does about it: pause and resume
it, pull it now (a job), replay it from an earlier position of the provider (what was already received is kept
once), and take again the events that named a customer the bank did not have yet. Each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import ConnectorPayload, ConnectorSource, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.connectors import intake, polling
from app.services.connectors.sources import SOURCES
from app.services.shared import dispatch
from app.services.shared.unit_of_work import unit_of_work

RECENT = 20  # the payloads not stored, shown per source
TAKE_AGAIN = 1000  # payloads taken again at one press (oldest first; press again for more)
STALE = timedelta(
    hours=24
)  # a configured source without success this long is failing, whatever its breaker says


@dataclass(frozen=True)
class Health:
    row: ConnectorSource
    title: str
    configured: bool  # an endpoint to pull
    pushes: bool  # a webhook secret: the source may push (webhooks)
    state: str  # paused | not_configured | failing | waiting (never pulled yet) | healthy
    lag: timedelta | None  # now less the newest event received
    since_success: timedelta | None
    not_stored: list[ConnectorPayload]  # the latest kept but not stored
    counts: dict[str, int]  # payloads by status

    @property
    def received(self) -> int:
        return sum(self.counts.values())


def overview(user: User) -> list[Health]:
    """Every source, in the order they are listed."""
    _check(user)
    now, urls, secrets = (
        utcnow(),
        current_app.config["CONNECTOR_URLS"],
        current_app.config["CONNECTOR_SECRETS"],
    )
    found = []
    for key in SOURCES:
        row = polling.source_row(key)
        counts = dict(
            db.session.execute(
                select(ConnectorPayload.status, func.count())
                .where(ConnectorPayload.source == key)
                .group_by(ConnectorPayload.status)
            ).all()
        )
        not_stored = list(
            db.session.scalars(
                select(ConnectorPayload)
                .where(ConnectorPayload.source == key, ConnectorPayload.status != "stored")
                .order_by(ConnectorPayload.id.desc())
                .limit(RECENT)
            )
        )
        found.append(
            Health(
                row,
                str(SOURCES[key].title),
                bool(urls.get(key)),
                bool(secrets.get(key)),
                _state(row, bool(urls.get(key) or secrets.get(key)), now),
                now - row.newest_event_at if row.newest_event_at else None,
                now - row.last_success_at if row.last_success_at else None,
                not_stored,
                counts,
            )
        )
    return found


def _state(row: ConnectorSource, configured: bool, now: datetime) -> str:
    if row.paused:
        return "paused"
    if not configured:
        return "not_configured"
    if row.failures or row.breaker != "closed":
        return "failing"
    if row.last_success_at is None:
        return "waiting"
    return "failing" if now - row.last_success_at > STALE else "healthy"


def pause(user: User, key: str, paused: bool) -> None:
    row = _row(user, key)
    with unit_of_work():
        row.paused = paused
        audit.record("connector.paused" if paused else "connector.resumed", user, source=key)


def pull_now(user: User, key: str) -> None:
    """Pull the source in a job, now (a paused source is refused)."""
    row = _row(user, key)
    if row.paused:
        raise InvalidInput(_("The source is paused: resume it first."), {"source": _("paused")})
    if not current_app.config["CONNECTOR_URLS"].get(key):
        raise InvalidInput(_("The source has no endpoint configured."), {"source": _("not configured")})
    with unit_of_work():
        audit.record("connector.pull_asked", user, source=key)
        dispatch.enqueue(dispatch.POLL_CONNECTOR, key)


def replay(user: User, key: str, cursor: str) -> None:
    """Pull again from ``cursor`` (the provider's position; empty: from its first event) at the next pull."""
    row = _row(user, key)
    cursor = cursor.strip()
    if len(cursor) > 200 or not cursor.isprintable():
        raise InvalidInput(
            _("The position was not changed."), {"cursor": _("at most 200 printable characters")}
        )
    with unit_of_work():
        audit.record("connector.replayed", user, source=key, before=row.cursor, after=cursor or None)
        row.cursor = cursor or None


def take_again(user: User, key: str) -> int:
    """The events kept because they named a credit code no customer had, checked again: those of a customer
    added since are stored (a malformed event stays as it was: the provider sends it again mended). Returns how
    many."""
    _row(user, key)
    connector = SOURCES[key]
    with unit_of_work():
        # One at a time (the source's row locked): two at once would both store the same payload.
        row = db.session.scalar(select(ConnectorSource).where(ConnectorSource.key == key).with_for_update())
        assert row is not None  # made by _row
        waiting = list(
            db.session.scalars(
                select(ConnectorPayload)
                .where(ConnectorPayload.source == key, ConnectorPayload.status == "unknown_customer")
                .order_by(ConnectorPayload.id)
                .limit(TAKE_AGAIN)
            )
        )
        stored = intake.store_again(row, connector, waiting)
        audit.record("connector.taken_again", user, source=key, payloads=len(waiting), stored=len(stored))
    return len(stored)


def _row(user: User, key: str) -> ConnectorSource:
    _check(user)
    if key not in SOURCES:
        raise NotFound(_("No such data source."))
    return polling.source_row(key)


def _check(user: User) -> None:
    if user.role != "admin":
        raise NotAuthorized(_("Only an administrator may manage the external data sources."))
