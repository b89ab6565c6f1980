"""The audit chain's anchor: its verified head kept where the application's database user cannot write.

The keyed chain (``audit``) shows any row altered, inserted or deleted in the middle, but not rows deleted
from its end: what is left is still a valid chain. So each verification that finds the chain intact writes
its head (the last row's id and hash, and how many rows it had) to a file, ``CREDIT_AUDIT_ANCHOR``
(default ``instance/audit-anchor``), sealed with the audit key; the next verification compares the table
with it:

- the anchored row is gone, or fewer rows reach it: rows were deleted from the end (truncation);
- the anchored row is there with another hash: the chain was rebuilt (re-chained) since;
- the file's seal does not match: the anchor itself was altered.

The file belongs to the account that runs the application and its jobs, on a disk the database server
cannot reach: who can only write the database cannot move the anchor. Its directory is written by
replacing the file whole (no half-written anchor). The beat job (``CREDIT_AUDIT_CHECK_SECONDS``) and
``flask audit verify`` advance it; rows appended after the last check are covered from the next one on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import audit


@dataclass(frozen=True)
class Anchor:
    id: int
    hash: str
    count: int
    written_at: str


def _path() -> Path | None:
    value = current_app.config.get("AUDIT_ANCHOR")
    return Path(value) if value else None


def _seal(body: dict) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(audit.chain_key(), b"audit-anchor:" + text, hashlib.sha256).hexdigest()


def read(path: Path) -> Anchor | str | None:
    """The anchor in ``path``; None when there is none yet; a reason (text) when it cannot be trusted."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        body = {k: stored[k] for k in ("id", "hash", "count", "written_at")}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"the audit anchor {path} cannot be read ({exc})"
    if not hmac.compare_digest(str(stored.get("seal", "")), _seal(body)):
        return f"the audit anchor {path} was altered: its seal does not match the audit key"
    return Anchor(**body)


def write(path: Path, report: audit.ChainReport) -> None:
    body = {
        "id": report.head_id,
        "hash": report.head_hash,
        "count": report.checked,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({**body, "seal": _seal(body)}, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def compare(anchor: Anchor) -> str | None:
    """What the table says against ``anchor``: None when the anchored head is still there, as it was."""
    if anchor.id == 0:
        return None  # anchored when the log was empty
    stored = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.id == anchor.id))
    if stored is None:
        return (
            f"truncated: audit event {anchor.id}, the chain's head when it was anchored at "
            f"{anchor.written_at}, is gone: rows were deleted from the end of the log"
        )
    if stored != anchor.hash:
        return (
            f"re-chained: audit event {anchor.id} no longer has the hash anchored at {anchor.written_at}: "
            "the chain was rebuilt since"
        )
    reaching = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= anchor.id)
    )
    if reaching != anchor.count:
        return (
            f"truncated: {anchor.count} rows led to audit event {anchor.id} when it was anchored at "
            f"{anchor.written_at}, {reaching} do now"
        )
    return None


def verify() -> audit.ChainReport:
    """Verify the keyed chain, then compare it with the anchor; when both hold, move the anchor to the head
    just verified. A broken chain or anchor leaves the anchor where it was, for the next check to name too."""
    report = audit.verify_chain()
    path = _path()
    if path is None or not report.ok:
        return report
    anchor = read(path)
    problem = anchor if isinstance(anchor, str) else compare(anchor) if anchor is not None else None
    if problem is not None:
        broken_at = anchor.id if isinstance(anchor, Anchor) else report.head_id
        return replace(report, broken_at=broken_at, reason=problem)
    write(path, report)
    return report


def rekey(old_key: bytes | None) -> int:
    """Re-key the chain (``audit.rechain``) and anchor its new head: the old anchor holds the old hashes.
    Returns the number of rows re-keyed; a chain that already verifies under the audit key is left as it
    is (0)."""
    if audit.verify_chain().ok:
        return 0
    count = audit.rechain(old_key)
    report = audit.verify_chain()
    path = _path()
    if path is not None and report.ok:
        write(path, report)
    return count
