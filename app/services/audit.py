"""The append-only audit log: every engine event and user action, hash-chained.

Each row's hash covers its own content and the previous row's hash, so an edited, deleted
or inserted row breaks the chain from that point on; ``verify_chain`` names the first.
Rows are only ever appended, inside the caller's transaction (helpers flush, never commit).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event as orm_event
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AuditEvent, User
from app.models.base import utcnow

GENESIS = "0" * 64
SYSTEM = "system"


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json_safe(value: Any) -> Any:
    """A deep copy of ``value`` holding only JSON types (as stored and hashed)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


_HASHED = ("occurred_at", "event_type", "actor_id", "actor_name", "instance_id", "customer_id", "payload",
           "prev_hash")


def _digest_of(row: dict[str, Any]) -> str:
    """SHA-256 over a row's content and the previous row's hash."""
    values = [row[name] for name in _HASHED]
    values[0] = values[0].replace(tzinfo=None).isoformat(timespec="microseconds")
    body = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _digest(event: AuditEvent) -> str:
    return _digest_of({name: getattr(event, name) for name in _HASHED})


def _lock_chain() -> None:
    """Serialize appends so two transactions never chain to the same previous row."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(7301001)"))


_HEAD = "audit_chain_head"
_PENDING = "audit_pending_rows"


def _write_pending(session: Session) -> None:
    """At commit, insert the transaction's audit rows in one statement, in the order recorded."""
    rows = session.info.pop(_PENDING, None)
    if rows:  # plain Core executemany on the table: no ORM bulk machinery, no RETURNING
        session.connection().execute(insert(AuditEvent.__table__), rows)


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HEAD, None)
        session.info.pop(_PENDING, None)  # rolled back: never written


def install_chain_hooks() -> None:
    """Write pending rows at commit; forget the chain head and pending rows when a transaction ends."""
    if not orm_event.contains(Session, "before_commit", _write_pending):
        orm_event.listen(Session, "before_commit", _write_pending)
    if not orm_event.contains(Session, "after_transaction_end", _forget):
        orm_event.listen(Session, "after_transaction_end", _forget)


def _chain_head() -> str:
    """The hash the next row chains to: read once per transaction (under the chain lock on
    PostgreSQL, held to commit), then carried forward in memory as rows are added."""
    info = db.session.info
    if _HEAD not in info:
        _lock_chain()
        table = AuditEvent.__table__  # read on the connection: no ORM autoflush, no entity loading
        last = db.session.connection().execute(
            select(table.c.hash).order_by(table.c.id.desc()).limit(1)).scalar()
        info[_HEAD] = last or GENESIS
    return info[_HEAD]


def record(event_type: str, actor: User | None = None, *, instance_id: int | None = None,
           customer_id: int | None = None, **payload: Any) -> None:
    """Append one event to the chain in the caller's transaction: the rows of a transaction are
    inserted together when it commits, in the order recorded, and vanish if it rolls back."""
    row = {
        "occurred_at": utcnow(),
        "event_type": event_type,
        "actor_id": actor.id if actor is not None else None,
        "actor_name": actor.username if actor is not None else SYSTEM,
        "instance_id": instance_id,
        "customer_id": customer_id,
        "payload": to_json_safe(payload),
        "prev_hash": _chain_head(),
    }
    row["hash"] = _digest_of(row)
    db.session.info.setdefault(_PENDING, []).append(row)
    db.session.info[_HEAD] = row["hash"]


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Recompute every hash in id order; report the first row that does not fit."""
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(checked, None, None)
        for row in rows:
            if row.prev_hash != prev:
                return ChainReport(checked, row.id, "previous hash does not match: a row before it was "
                                                    "deleted, inserted or altered")
            if _digest(row) != row.hash:
                return ChainReport(checked, row.id, "content does not match its hash: the row was altered")
            prev, last_id, checked = row.hash, row.id, checked + 1
        db.session.expunge_all()
