"""A draft's check as a job (检查): saving a draft or opening the editor asks for the check of the working
copy and answers at once; a worker runs it (:func:`run`, the job ``CHECK_DRAFT``) and the editor shows the
result when it is ready. No web request waits on a designer's code.

A check is keyed by its file and the working copy's fingerprint (every file's text and the language its
messages are in), so the same working copy is checked once however often the editor asks. A check whose
working copy changed before its worker reached it is ``superseded``: the editor asks again for the copy as
it is now; when the working copy comes back to what it was (a change undone), that check runs again. A
check that lost its worker (killed, or past its time limit) or its job is queued again when the editor next
asks; after :data:`MAX_ATTEMPTS` runs it ends as a problem that says so, so the draft can still be opened,
mended and discarded.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.engine import SANDBOX_LIMITS
from app.errors import NotFound
from app.extensions import db
from app.language import in_language
from app.models import DraftCheck, User
from app.models.base import utcnow
from app.services.design.workspace import drafts, workspace
from app.services.design.workspace.designer import check_designer
from app.services.shared import dispatch

PENDING = ("queued", "running")
MAX_ATTEMPTS = 2
# A run still "running" this long after it began lost its worker: the job's own time limit is shorter.
LOST_AFTER = timedelta(seconds=SANDBOX_LIMITS.check_seconds * 4 + 30)
KEPT = timedelta(days=1)  # older checks of a file are forgotten when it is checked again


def fingerprint(kind: str, name: str, locale: str, files: dict[str, dict[str, str]]) -> str:
    """What a check's result depends on: the file, the language, every file of the working copy and the
    groups a lane may name (the check reads them from the database)."""
    digest = hashlib.sha256(f"{kind}/{name}\0{locale}\0{','.join(sorted(workspace.groups()))}".encode())
    for file_kind in workspace.KINDS:
        for file_name, text in sorted(files.get(file_kind, {}).items()):
            digest.update(f"\0{file_kind}/{file_name}\0".encode())
            digest.update(text.encode())
    return digest.hexdigest()


def request(user: User, kind: str, name: str, _tries: int = 3) -> DraftCheck:
    """The check of ``kind/name`` in the working copy as it is now, in the user's language: found, or queued
    (committed; with an eager Celery the job has run by the time this returns)."""
    check_designer(user)
    drafts.check_name(kind, name)
    locale = str(get_locale() or "zh_CN")
    files = workspace.snapshot()
    key = fingerprint(kind, name, locale, files)
    found = db.session.scalar(
        select(DraftCheck).where(
            DraftCheck.kind == kind, DraftCheck.name == name, DraftCheck.fingerprint == key
        )
    )
    if found is not None:
        return _revived(found)
    db.session.execute(
        delete(DraftCheck).where(
            DraftCheck.kind == kind, DraftCheck.name == name, DraftCheck.requested_at < utcnow() - KEPT
        )
    )
    row = DraftCheck(
        kind=kind,
        name=name,
        fingerprint=key,
        locale=locale,
        state="queued",
        attempts=0,
        problems=[],
        tests=[],
        requested_at=utcnow(),
    )
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # asked for at the same moment by another editor: theirs is this one
        db.session.rollback()
        if _tries <= 1:
            raise
        return request(user, kind, name, _tries - 1)
    dispatch.enqueue(dispatch.CHECK_DRAFT, row.id)
    db.session.commit()
    db.session.refresh(row)
    return row


def status(user: User, check_id: int) -> DraftCheck:
    """The check ``check_id`` as it stands (queued again if it lost its worker); a superseded one is replaced
    by the check of the working copy now."""
    check_designer(user)
    row = db.session.get(DraftCheck, check_id)
    if row is None:
        raise NotFound(_("No such check."))
    if row.state == "superseded":
        return request(user, row.kind, row.name)
    return _revived(row)


def _revived(row: DraftCheck) -> DraftCheck:
    """``row``, queued again if it needs a run it will not get otherwise: superseded once and now the
    working copy again (a change undone, a draft discarded), its worker lost mid-run, or its job lost
    before any worker took it."""
    late = utcnow() - LOST_AFTER
    lost = (
        row.state == "superseded"
        or (row.state == "running" and row.started_at is not None and row.started_at < late)
        or (row.state == "queued" and row.requested_at < late)
    )
    if lost:
        row.state, row.requested_at = "queued", utcnow()
        dispatch.enqueue(dispatch.CHECK_DRAFT, row.id)
        db.session.commit()
        db.session.refresh(row)
    return row


def run(check_id: int) -> str | None:
    """Run the check ``check_id`` (the job): its state when done, None if it no longer exists."""
    row = db.session.get(DraftCheck, check_id)
    if row is None or row.state not in PENDING:
        return row.state if row is not None else None
    files = workspace.snapshot()
    if fingerprint(row.kind, row.name, row.locale, files) != row.fingerprint:
        row.state = "superseded"
        db.session.commit()
        return row.state
    row.attempts += 1
    row.started_at = utcnow()
    row.state = "running"
    db.session.commit()
    with force_locale(row.locale):
        if row.attempts > MAX_ATTEMPTS:
            problems = [
                {
                    "file": row.name,
                    "element": None,
                    "line": None,
                    "message": _(
                        "The check could not finish: its run was stopped %(n)s times (a worker was lost or the check "
                        "took too long). Mend the draft or discard it.",
                        n=row.attempts - 1,
                    ),
                }
            ]
            tests: list[dict] = []
        else:
            found = workspace.check(row.kind, row.name, files)
            problems = [
                {"file": p.filename, "element": p.element_id, "line": p.line, "message": p.message}
                for p in found.problems
            ]
            tests = [
                {"name": in_language(t.name, row.locale), "ok": t.ok, "message": t.message}
                for t in found.tests
            ]
    row.problems, row.tests = problems, tests
    row.state, row.finished_at = "done", utcnow()
    db.session.commit()
    return row.state


def described(row: DraftCheck) -> dict:
    """What the editor reads of a check (JSON)."""
    return {
        "id": row.id,
        "state": row.state,
        "problems": row.problems if row.state == "done" else [],
        "tests": row.tests if row.state == "done" else [],
    }
