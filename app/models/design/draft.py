"""A designer's draft of one file of workflows/, rules/ or forms/, saved as they work in the browser.

One draft per file: whoever opens the file edits the same draft, and a save names the revision it
was made on, so nobody's changes are overwritten by a stale editor (the second save is refused).
``base_hash`` is the SHA-256 of the file the draft started from ("" for a new file): if the file
changed since (another deployment), the draft is stale and is not deployed until rebased.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow


class DesignDraft(Model):
    __tablename__ = "design_draft"
    __table_args__ = (UniqueConstraint("kind", "name", name="uq_design_draft_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # workflows | rules | forms
    name: Mapped[str] = mapped_column(String(200))  # the file name in that directory
    content: Mapped[str] = mapped_column(Text, deferred=True)
    base_hash: Mapped[str] = mapped_column(String(64))
    revision: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    authors: Mapped[list] = mapped_column(
        JsonType, default=list, server_default="[]"
    )  # every saver's user id

    created_by = relationship("User", foreign_keys=[created_by_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])


class DraftCheck(Model):
    """One check of a file in the working copy, run by a job so that no save or editor page waits on a
    designer's code. ``fingerprint`` is the SHA-256 of the file's name, the language the messages are in
    and every file of the working copy: the same working copy is checked once, and a check whose working
    copy has changed since it was asked for is ``superseded`` (the editor asks again). ``state``: queued,
    running, done or superseded; ``problems`` and ``tests`` hold what a done check found."""

    __tablename__ = "draft_check"
    __table_args__ = (
        UniqueConstraint("kind", "name", "fingerprint", name="uq_draft_check_file_fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)  # runs begun: a check that lost its worker twice ends
    problems: Mapped[list] = mapped_column(JsonType, default=list)
    tests: Mapped[list] = mapped_column(JsonType, default=list)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
