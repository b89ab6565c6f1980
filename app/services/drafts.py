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
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from app.models import DesignDraft, User
from app.models.base import utcnow
from app.services import audit
from app.services.designer import check_designer

# the files a designer may edit, per directory
PATTERNS = {
    "workflows": re.compile(r"^[a-z][a-z0-9_]{0,80}\.(bpmn|tests\.json)$"),
    "rules": re.compile(r"^[a-z][a-z0-9_]{0,80}\.(dmn|tests\.json)$"),
    "forms": re.compile(r"^[a-z][a-z0-9_]{0,80}\.json$"),
}
_CONFIG = {"workflows": "WORKFLOWS_DIR", "rules": "RULES_DIR", "forms": "FORMS_DIR"}
MAX_BYTES = 2_000_000


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def directory(kind: str) -> Path:
    return Path(current_app.config[_CONFIG[kind]])


def check_name(kind: str, name: str) -> None:
    pattern = PATTERNS.get(kind)
    if pattern is None or not pattern.match(name or ""):
        raise NotFound(_("No file %(name)s in %(kind)s.", name=name, kind=kind))


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


def save(user: User, kind: str, name: str, content: str, revision: int) -> DesignDraft:
    """Save the draft made on ``revision`` (0: begun from the file). Refused (409) if the draft moved on
    since that revision: someone else's (or another window's) changes are never overwritten."""
    check_designer(user)
    check_name(kind, name)
    if not content.strip():
        raise InvalidInput(_("The draft was not saved."), {"content": _("the file is empty")})
    if len(content.encode()) > MAX_BYTES:
        raise InvalidInput(_("The draft was not saved."), {"content": _("the file is larger than 2 MB")})
    draft = draft_of(kind, name)
    known = draft.revision if draft is not None else 0
    if revision != known:
        if draft is None:
            raise Conflict(_("This draft was discarded or deployed since you opened it; reload to edit the "
                             "current file."))
        raise Conflict(_("%(user)s saved this draft at %(time)s, after you opened it. Your changes were not "
                         "saved; reload to see theirs, then make yours again.",
                         user=draft.updated_by.display_name, time=format_datetime(draft.updated_at, "short")))
    now = utcnow()
    if draft is None:
        base = file_text(kind, name)
        draft = DesignDraft(kind=kind, name=name, base_hash=digest(base) if base is not None else "",
                            revision=0, created_by_id=user.id, created_at=now)
        db.session.add(draft)
    draft.content, draft.revision = content, draft.revision + 1
    draft.updated_by_id, draft.updated_at = user.id, now
    db.session.flush()
    audit.record("draft.saved", user, kind=kind, name=name, revision=draft.revision, content_hash=digest(content))
    db.session.commit()
    return draft


def discard(user: User, kind: str, name: str, revision: int) -> None:
    check_designer(user)
    check_name(kind, name)
    draft = draft_of(kind, name)
    if draft is None:
        return
    if draft.revision != revision:
        raise Conflict(_("%(user)s saved this draft at %(time)s, after you opened it; it was not discarded.",
                         user=draft.updated_by.display_name, time=format_datetime(draft.updated_at, "short")))
    audit.record("draft.discarded", user, kind=kind, name=name, revision=draft.revision)
    db.session.delete(draft)
    db.session.commit()


def listing(user: User) -> list[DesignDraft]:
    check_designer(user)
    return list(db.session.scalars(select(DesignDraft).order_by(DesignDraft.updated_at.desc())))
