"""Case-library entries assigned as reading (案例学习): an administrator or risk manager assigns an entry to a
person; the person acknowledges having read it. The entry is named by ``entry_ref`` — its id, or its address
inside the application — so this room never reads the case library's own tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import Conflict, InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.inputs import numbers
from app.models import ReadingAssignment, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.people.training import fields
from app.services.people.training.rights import check_keeper
from app.services.shared.unit_of_work import unit_of_work

_REF = re.compile(r"\d{1,12}|/[A-Za-z0-9/_\-.]{1,199}")


def link_of(entry_ref: str) -> str | None:
    """Where the entry opens: a number is the case library's entry of that number, an address inside the
    application is itself."""
    if entry_ref.isdigit():
        return url_for("case_library.show", analysis_id=int(entry_ref))
    return entry_ref if entry_ref.startswith("/") and not entry_ref.startswith("//") else None


def assign(keeper: User, data: Mapping[str, Any]) -> ReadingAssignment:
    """Assign entry ``entry_ref`` (with its ``title``) to ``user_id``."""
    check_keeper(keeper)
    errors: dict[str, str] = {}
    person = None
    person_id = numbers.row_id(data.get("user_id"))
    if person_id is not None:
        person = db.session.get(User, person_id)
    if person is None or not person.active:
        errors["user_id"] = _("choose an active member of staff")
    entry_ref = str(data.get("entry_ref") or "").strip()
    if not _REF.fullmatch(entry_ref) or "//" in entry_ref:
        errors["entry_ref"] = _("the entry's number, or its address starting with /")
    title = fields.text(data, "title", errors, limit=200)
    if errors:
        raise InvalidInput(_("The reading was not assigned."), errors)
    assert person is not None
    with unit_of_work():
        row = ReadingAssignment(user_id=person.id, entry_ref=entry_ref, title=title, assigned_by_id=keeper.id)
        db.session.add(row)
        db.session.flush()
        audit.record("training.reading_assigned", keeper, user=person.username, entry=entry_ref)
    return row


def acknowledge(user: User, assignment_id: int) -> ReadingAssignment:
    """``user`` has read their assigned entry (once)."""
    with unit_of_work():
        row = db.session.get(ReadingAssignment, assignment_id)
        if row is None:
            raise NotFound(_("No such reading."))
        if row.user_id != user.id:
            raise NotAuthorized(_("Only the person it is assigned to acknowledges a reading."))
        if row.acknowledged_at is not None:
            raise Conflict(_("This reading was acknowledged already."))
        row.acknowledged_at = utcnow()
        audit.record("training.reading_acknowledged", user, entry=row.entry_ref)
    return row


def of_user(user_id: int) -> list[ReadingAssignment]:
    """Open readings first, then the acknowledged, newest first."""
    return list(
        db.session.scalars(
            select(ReadingAssignment)
            .where(ReadingAssignment.user_id == user_id)
            .order_by(ReadingAssignment.acknowledged_at.is_not(None), ReadingAssignment.assigned_at.desc())
        )
    )
