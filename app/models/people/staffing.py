"""Cases that cannot go on for want of someone who may act (无人可办)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow

# nobody: no one in the lane may do it (no active member; for an approval, none qualified of the level and
# clear of the case); assignee: the person the task is assigned to may no longer do it.
REASONS = ("nobody", "assignee")


class StaffingGap(Model):
    """An open task nobody may do, or a diagram waiting at a catch event for people (the committee when no
    member may vote on the case): open while ``closed_at`` is empty; the administrators were told when it
    opened."""

    __tablename__ = "staffing_gap"
    __table_args__ = (
        Index("ix_staffing_gap_open", "closed_at", "instance_id"),
        # one open gap per waiting task or event, whoever notices it first
        Index(
            "ux_staffing_gap_one_open",
            "instance_id",
            "subject",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"))
    # "task:<uuid>" for a waiting task, "wait:<uuid>" for an event waiting for people
    subject: Mapped[str] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("human_task.id", ondelete="SET NULL"))
    element: Mapped[str] = mapped_column(String(100))  # the task's or the event's id in the diagram
    name: Mapped[str] = mapped_column(String(200))  # and its name
    lane: Mapped[str | None] = mapped_column(String(64))
    required_level: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(16))  # one of REASONS
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    instance = relationship("ProcessInstance")
    task = relationship("HumanTask")
    assignee = relationship("User")
