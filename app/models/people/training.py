"""Training (培训管理): courses, the sessions that teach them, who completed which (with its result and how
long it stays valid), and case-library entries assigned as reading.

The approver's qualification (审批资格) is one case of this: a pass completion of the course
``APPROVAL_COURSE`` valid on a day is what approval eligibility reads (``holders_of``); the certificate
number the administrator records is kept on that completion.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, Select, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow

APPROVAL_COURSE = "CREDIT_APPROVAL"  # 授信审批资格: the approvers' qualification
KYC_COURSE = "KYC_AML"  # 反洗钱与客户身份识别: an officer submits no intake without it
RESULTS = ("pass", "fail")


class Course(Model):
    __tablename__ = "training_course"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # what rules/required_training.dmn names
    title_zh: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str] = mapped_column(String(120))
    topic: Mapped[str] = mapped_column(String(40))  # compliance | credit | risk | post_loan | other
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    validity_months: Mapped[int | None]  # None: a completion never lapses
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def title(self, locale: str) -> str:
        return self.title_zh if locale.startswith("zh") else self.title_en


class TrainingSession(Model):
    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    held_on: Mapped[date]
    trainer: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course")


class TrainingCompletion(Model):
    """One person's attendance of a course and its result; a pass stays valid until ``valid_until`` (None: for
    good). Rows are appended, never rewritten: the latest valid pass is what counts."""

    __tablename__ = "training_completion"
    __table_args__ = (
        CheckConstraint("result IN ('pass', 'fail')", name="ck_training_completion_result"),
        Index("ix_training_completion_user_course", "user_id", "course_id", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("training_session.id", ondelete="SET NULL"))
    completed_on: Mapped[date]
    result: Mapped[str] = mapped_column(String(8))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    valid_until: Mapped[date | None]
    certificate: Mapped[str | None] = mapped_column(String(100))  # the qualification's certificate number
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    course = relationship("Course")
    user = relationship("User", foreign_keys=[user_id])

    @classmethod
    def valid_on(cls, day: Any):
        """The SQL condition of a pass still valid on ``day`` (a date, or a bound parameter)."""
        return (cls.result == "pass") & ((cls.valid_until.is_(None)) | (cls.valid_until >= day))

    @classmethod
    def holders_of(cls, code: str, day: Any) -> Select:
        """The ids of the users holding a valid pass of course ``code`` on ``day`` (for ``IN``)."""
        return (
            select(cls.user_id)
            .join(Course, Course.id == cls.course_id)
            .where(Course.code == code, cls.valid_on(day))
        )


class ReadingAssignment(Model):
    """A case-library entry (案例库) assigned to a person to read; ``entry_ref`` names the entry (its id or
    address: the library is its own room), acknowledged once read."""

    __tablename__ = "reading_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    entry_ref: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]

    assigned_by = relationship("User", foreign_keys=[assigned_by_id])
