"""A running case moved to a newer deployed version of its process, kept so it can be rolled back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow
from app.models.cases import ProcessDefinition, ProcessInstance


class InstanceMigration(Model):
    """One case's migration: the state it left (to restore exactly) and who moved it, and back."""

    __tablename__ = "instance_migration"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    from_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    to_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    # The serialized workflow as it was, with its serializer and the instance's version counter then.
    state_before: Mapped[str] = mapped_column(Text, deferred=True)
    serializer_version_before: Mapped[str] = mapped_column(String(16))
    version_before: Mapped[int]
    # The counter the migration left: a rollback is refused once the case has moved on from it.
    version_after: Mapped[int]
    # What the preview showed for it (elements added, removed, changed ahead of it), for the record.
    changes: Mapped[dict] = mapped_column(JsonType, default=dict)
    migrated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    migrated_at: Mapped[datetime] = mapped_column(default=utcnow)
    rolled_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    rolled_back_at: Mapped[datetime | None]

    instance: Mapped[ProcessInstance] = relationship()
    from_definition: Mapped[ProcessDefinition] = relationship(foreign_keys=[from_definition_id])
    to_definition: Mapped[ProcessDefinition] = relationship(foreign_keys=[to_definition_id])
    migrated_by = relationship("User", foreign_keys=[migrated_by_id])
    rolled_back_by = relationship("User", foreign_keys=[rolled_back_by_id])

    @property
    def rolled_back(self) -> bool:
        return self.rolled_back_at is not None
