"""Designers' drafts (草稿) of the files in workflows/, rules/ and forms/, saved as they work.

The working copy of a file is its draft if there is one, else the file itself. A save names the
revision it was made on; if someone saved the draft since, the save is refused with who and when,
and nothing is overwritten. Each save is audited. A draft whose file changed after it was begun
(``stale``) is refused at deployment until the designer reopens it and saves on the new file.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.models import DesignDraft, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.design.workspace.designer import check_designer
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work

# the files a designer may edit, per directory (matched whole: ``fullmatch``)
PATTERNS = {
    "workflows": re.compile(r"[a-z][a-z0-9_]{0,80}\.(bpmn|tests\.json)"),
    "rules": re.compile(r"[a-z][a-z0-9_]{0,80}\.(dmn|tests\.json)"),
    "forms": re.compile(r"[a-z][a-z0-9_]{0,80}\.json"),
}
_CONFIG = {"workflows": "WORKFLOWS_DIR", "rules": "RULES_DIR", "forms": "FORMS_DIR"}
MAX_BYTES = 2_000_000


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def directory(kind: str) -> Path:
    return Path(current_app.config[_CONFIG[kind]])


def check_name(kind: str, name: str) -> None:
    pattern = PATTERNS.get(kind)
    if pattern is None or not pattern.fullmatch(name or ""):
        raise NotFound(_("No file %(name)s in %(kind)s.", name=name, kind=kind))


def new_name(user: User, kind: str, name: str) -> str:
    """The file name a designer asks for a new file, with its kind's suffix; refused naming the field."""
    check_designer(user)
    suffixes = {"workflows": ".bpmn", "rules": ".dmn", "forms": ".json"}
    if kind not in suffixes:
        raise InvalidInput(
            _("The file was not opened."), {"kind": _("one of %(kinds)s", kinds=", ".join(suffixes))}
        )
    name = name.strip()
    if not name.endswith(suffixes[kind]):
        name += suffixes[kind]
    if not PATTERNS[kind].fullmatch(name):
        raise InvalidInput(
            _("The file was not opened."),
            {"name": _("lower-case letters, digits and _ only, starting with a letter")},
        )
    return name


def file_text(kind: str, name: str) -> str | None:
    """The file as it is in its directory (None: a new file)."""
    check_name(kind, name)
    path = directory(kind) / name
    return path.read_text(encoding="utf-8") if path.is_file() else None


def draft_of(kind: str, name: str) -> DesignDraft | None:
    return db.session.scalar(select(DesignDraft).where(DesignDraft.kind == kind, DesignDraft.name == name))


def working_text(kind: str, name: str) -> str | None:
    """The draft if there is one, else the file (None: neither exists)."""
    draft = draft_of(kind, name)
    return draft.content if draft is not None else file_text(kind, name)


def is_stale(draft: DesignDraft) -> bool:
    """The file changed (was deployed or edited) after the draft was begun from it."""
    current = file_text(draft.kind, draft.name)
    return draft.base_hash != (digest(current) if current is not None else "")


def _check_content(content: str) -> None:
    problem = None
    if not content.strip():
        problem = _("the file is empty")
    elif "\x00" in content:
        problem = _("the file contains a NUL character")
    else:
        try:
            size = len(content.encode("utf-8"))
        except UnicodeEncodeError:
            problem = _("the file is not valid UTF-8 text")
        else:
            if size > MAX_BYTES:
                problem = _("the file is larger than 2 MB")
    if problem:
        raise InvalidInput(_("The draft was not saved."), {"content": problem})


def _moved_on(draft: DesignDraft | None) -> Conflict:
    if draft is None:
        return Conflict(
            _("This draft was discarded or deployed since you opened it; reload to edit the current file.")
        )
    return Conflict(
        _(
            "%(user)s saved this draft at %(time)s, after you opened it. Your changes were not saved; "
            "reload to see theirs, then make yours again.",
            user=draft.updated_by.display_name,
            time=format_datetime(draft.updated_at, "short"),
        )
    )


def save(
    user: User, kind: str, name: str, content: str, revision: int, base: str | None = None
) -> DesignDraft:
    """Save the draft made on ``revision`` (0: begun from the file). Refused (409) if the draft moved on
    since that revision: someone else's (or another window's) changes are never overwritten, even by a
    save racing this one. ``base`` is the SHA-256 of the file the editor showed beside the draft: if it is
    the file as it is now, the draft is rebased on it (no longer stale)."""
    check_designer(user)
    check_name(kind, name)
    _check_content(content)
    current = file_text(kind, name)
    current_hash = digest(current) if current is not None else ""
    now = utcnow()
    draft = draft_of(kind, name)
    with unit_of_work():
        if revision == 0 and draft is None:
            draft = DesignDraft(
                kind=kind,
                name=name,
                base_hash=current_hash,
                revision=1,
                content=content,
                created_by_id=user.id,
                created_at=now,
                updated_by_id=user.id,
                updated_at=now,
                authors=[user.id],
            )
            try:
                with db.session.begin_nested():
                    db.session.add(draft)
            except IntegrityError:  # someone's first save won the race (the savepoint is rolled back)
                raise _moved_on(draft_of(kind, name)) from None
        else:
            if draft is None or draft.revision != revision:
                raise _moved_on(draft)
            authors = draft.authors if user.id in draft.authors else [*draft.authors, user.id]
            rebased = base if base is not None and base == current_hash else draft.base_hash
            updated = db.session.execute(
                update(DesignDraft)
                .where(DesignDraft.id == draft.id, DesignDraft.revision == revision)
                .values(
                    content=content,
                    revision=revision + 1,
                    updated_by_id=user.id,
                    updated_at=now,
                    authors=authors,
                    base_hash=rebased,
                )
                .execution_options(synchronize_session=False)
            )
            if rowcount(updated) != 1:  # a save between our read and our write: nothing of ours was written
                db.session.expire(draft)
                raise _moved_on(draft_of(kind, name))
            db.session.expire(draft)
        audit.record(
            "draft.saved", user, kind=kind, name=name, revision=revision + 1, content_hash=digest(content)
        )
    return draft


def discard(user: User, kind: str, name: str, revision: int) -> None:
    check_designer(user)
    check_name(kind, name)
    draft = draft_of(kind, name)
    if draft is None:
        return
    with unit_of_work():
        deleted = db.session.execute(
            delete(DesignDraft)
            .where(DesignDraft.id == draft.id, DesignDraft.revision == revision)
            .execution_options(synchronize_session=False)
        )
        if rowcount(deleted) != 1:
            db.session.expire(draft)
            raise Conflict(
                _(
                    "%(user)s saved this draft at %(time)s, after you opened it; it was not discarded.",
                    user=draft.updated_by.display_name,
                    time=format_datetime(draft.updated_at, "short"),
                )
            )
        audit.record("draft.discarded", user, kind=kind, name=name, revision=revision)


def listing(user: User) -> list[DesignDraft]:
    check_designer(user)
    return list(db.session.scalars(select(DesignDraft).order_by(DesignDraft.updated_at.desc())))
