"""The append-only audit log: every engine event and user action, hash-chained.

Each row's hash covers its own content and the previous row's hash, so an edited, deleted
or inserted row breaks the chain from that point on; ``verify_chain`` names the first.
Rows are only ever appended, inside the caller's transaction (helpers flush, never commit).

The hash is an HMAC keyed with ``CREDIT_AUDIT_KEY``, a secret kept outside the database: someone who
can write the table but does not hold the key cannot re-chain a forged row so that it verifies. What
the key cannot show, a deleted tail, the anchor does (``audit_anchor``). A chain written before the key
(plain SHA-256) is re-keyed once by ``flask audit rekey`` (``rechain``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy import event as orm_event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, scoped_session

from app.errors import Unavailable
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


_HASHED = (
    "occurred_at",
    "event_type",
    "actor_id",
    "actor_name",
    "instance_id",
    "customer_id",
    "payload",
    "prev_hash",
)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _encode_payload(payload: dict[str, Any]) -> str:
    """The payload's canonical JSON: what is hashed, and (parsed back) what is stored."""
    try:
        return _canonical(payload)
    except TypeError:  # keys of mixed types cannot be sorted: make them all strings first
        return _canonical(to_json_safe(payload))


def chain_key() -> bytes:
    """The configured audit key (``CREDIT_AUDIT_KEY``)."""
    return current_app.config["AUDIT_KEY"].encode("utf-8")


def _digest_of(row: dict[str, Any], payload_json: str | None = None, *, key: bytes | None) -> str:
    """HMAC-SHA256 with ``key`` over a row's content and the previous row's hash (plain SHA-256 when
    ``key`` is None: the chains written before the key, which ``rechain`` reads).

    The body is the canonical JSON of the list of ``_HASHED`` values; ``payload_json`` (the
    payload's canonical JSON, when the caller has it) is spliced in rather than encoded again.
    """
    head = [row[name] for name in _HASHED[:6]]
    head[0] = head[0].replace(tzinfo=None).isoformat(timespec="microseconds")
    if payload_json is None:
        payload_json = _canonical(row["payload"])
    body = f"{_canonical(head)[:-1]},{payload_json},{_canonical(row['prev_hash'])}]".encode()
    if key is None:
        return hashlib.sha256(body).hexdigest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def _digest(event: AuditEvent, key: bytes | None) -> str:
    return _digest_of({name: getattr(event, name) for name in _HASHED}, key=key)


_TABLE = AuditEvent.__table__
_HEAD = select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
_APPEND = insert(_TABLE)
# For the rest of the transaction only (its commit): the chain lock, then its last row and the insert.
_LOCK_TIMEOUT = text("SELECT set_config('lock_timeout', :timeout, true)")
_LOCKS = {
    "postgresql": text("SELECT pg_advisory_xact_lock(7301001)"),
    "sqlite": text("UPDATE audit_event SET id = id WHERE 0"),
}


def _lock_chain(session: Session | scoped_session[Any]) -> None:
    """Serialize appends so two transactions never chain to the same previous row.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: a write statement (that changes
    nothing) takes the database's write lock, which the transaction then holds to its commit;
    a transaction that has already written holds it. The wait is bounded by ``AUDIT_LOCK_SECONDS``
    (PostgreSQL's lock_timeout, SQLite's busy timeout): a process stalled while holding the chain makes the
    others answer ``Unavailable`` (503, retry), never hang.
    """
    connection = session.connection()
    lock = _LOCKS.get(connection.dialect.name)
    if lock is None:
        return
    raw = connection.connection.dbapi_connection  # None only once the connection is invalidated
    if connection.dialect.name == "sqlite" and raw is not None and raw.in_transaction:
        return
    bound = int(current_app.config["AUDIT_LOCK_SECONDS"] * 1000)
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK_TIMEOUT, {"timeout": f"{bound}ms"})
        restore = None
    else:  # SQLite's busy timeout, for this statement only (the connection's own is longer)
        restore = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        connection.exec_driver_sql(f"PRAGMA busy_timeout={bound}")
    try:
        connection.execute(lock)
    except OperationalError as exc:
        if not _lock_timed_out(exc):
            raise  # the database itself is away: answered 503 as such
        raise Unavailable(
            _("The audit log is held by another process; nothing was saved. Try again in a few seconds.")
        ) from exc
    finally:
        if restore is not None:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={int(restore)}")


def _lock_timed_out(exc: OperationalError) -> bool:
    """Another transaction held the chain past the bound (a stalled worker): PostgreSQL's lock_not_available,
    SQLite's "database is locked"."""
    return getattr(exc.orig, "sqlstate", None) == "55P03" or "locked" in str(exc.orig)


_PENDING = "audit_pending_rows"
_PAYLOAD_JSON = "_payload_json"  # carried from record() to the digest, never inserted


def _write_pending(session: Session) -> None:
    """At commit, chain the transaction's rows to the current head (under the chain lock, held to
    the commit) and insert them in one statement, in the order they were recorded."""
    rows = session.info.pop(_PENDING, None)
    if not rows:
        return
    _lock_chain(session)
    connection = session.connection()
    prev, key = connection.execute(_HEAD).scalar() or GENESIS, chain_key()
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = _digest_of(row, row.pop(_PAYLOAD_JSON), key=key)
    connection.execute(_APPEND, rows)  # plain Core executemany: no ORM machinery, no RETURNING


def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)  # rolled back: never written


def install_chain_hooks() -> None:
    """Write pending rows at commit; forget them when a transaction ends without committing."""
    if not orm_event.contains(Session, "before_commit", _write_pending):
        orm_event.listen(Session, "before_commit", _write_pending)
    if not orm_event.contains(Session, "after_transaction_end", _forget):
        orm_event.listen(Session, "after_transaction_end", _forget)


def record(
    event_type: str,
    actor: User | None = None,
    *,
    instance_id: int | None = None,
    customer_id: int | None = None,
    **payload: Any,
) -> None:
    """Append one event in the caller's transaction: its rows are chained and inserted together
    when it commits, in the order recorded, and vanish if it rolls back. The case is ``instance_id``, a
    column: a case named in the payload would be missing from the case's audit trail."""
    if "case_id" in payload:
        raise TypeError(f"audit.record({event_type!r}): pass the case as instance_id=, not case_id=")
    payload_json = _encode_payload(payload)
    db.session.info.setdefault(_PENDING, []).append(
        {
            "occurred_at": utcnow(),
            "event_type": event_type,
            "actor_id": actor.id if actor is not None else None,
            "actor_name": actor.username if actor is not None else SYSTEM,
            "instance_id": instance_id,
            "customer_id": customer_id,
            "payload": json.loads(payload_json),
            _PAYLOAD_JSON: payload_json,
        }
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    reason: str | None
    head_id: int = 0  # the last row verified (0: none), and its hash: what the anchor keeps
    head_hash: str = GENESIS

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _rows(batch: int):
    """Every row in id order, a batch at a time (the session is emptied between batches)."""
    last_id = 0
    while True:
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        db.session.expunge_all()


def verify_chain(batch: int = 5000, key: bytes | None = None) -> ChainReport:
    """Recompute every hash in id order (keyed with ``key``, default the configured audit key); report the
    first row that does not fit."""
    key = chain_key() if key is None else key
    prev, checked, head_id = GENESIS, 0, 0
    for row in _rows(batch):
        if row.prev_hash != prev:
            return ChainReport(
                checked,
                row.id,
                "previous hash does not match: a row before it was deleted, inserted or altered",
                head_id,
                prev,
            )
        if _digest(row, key) != row.hash:
            return ChainReport(
                checked,
                row.id,
                "content does not match its keyed hash: the row was altered, or forged without the audit key",
                head_id,
                prev,
            )
        prev, head_id, checked = row.hash, row.id, checked + 1
    return ChainReport(checked, None, None, head_id, prev)


def rechain(old_key: bytes | None, batch: int = 5000) -> int:
    """Re-key the whole chain: verify every row under ``old_key`` (None: the plain SHA-256 chain written
    before the audit key), then hash it again under the configured key, in one transaction under the chain
    lock. A row that does not verify under the old key stops it, naming the row, and nothing is changed.
    Returns the number of rows re-keyed."""
    key, count = chain_key(), 0
    statement = (
        update(_TABLE)
        .where(_TABLE.c.id == bindparam("row_id"))
        .values(prev_hash=bindparam("new_prev"), hash=bindparam("new_hash"))
    )
    _lock_chain(db.session)
    try:
        old_prev = new_prev = GENESIS
        changed: list[dict[str, Any]] = []
        for row in _rows(batch):
            if row.prev_hash != old_prev or _digest(row, old_key) != row.hash:
                raise ChainUnreadable(row.id)
            old_prev = row.hash
            values = {name: getattr(row, name) for name in _HASHED} | {"prev_hash": new_prev}
            new_prev = _digest_of(values, key=key)
            changed.append({"row_id": row.id, "new_prev": values["prev_hash"], "new_hash": new_prev})
            if len(changed) == batch:  # rows already read are behind the next batch's ids: safe to write
                db.session.connection().execute(statement, changed)
                count, changed = count + len(changed), []
        if changed:
            db.session.connection().execute(statement, changed)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return count + len(changed)


class ChainUnreadable(Exception):
    """The chain does not verify under the key it is said to be written with."""

    def __init__(self, row_id: int) -> None:
        super().__init__(f"audit event {row_id} does not verify under the previous key: nothing was re-keyed")
        self.row_id = row_id
