"""Training management (培训管理): courses, sessions, completions with their result and expiry, and case-library
entries assigned as reading. The approvers' qualifications become passes of the course CREDIT_APPROVAL
(授信审批资格), each keeping its certificate number, expiry, recorder and time; the qualification table goes.

Revision ID: 0044_training
Revises: 0043_case_library
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0044_training"
down_revision = "0043_case_library"
branch_labels = None
depends_on = None

APPROVAL = ("CREDIT_APPROVAL", "授信审批资格", "Credit approval qualification", "credit", 24, 24)


def upgrade():
    op.create_table(
        "training_course",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title_zh", sa.String(length=120), nullable=False),
        sa.Column("title_en", sa.String(length=120), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("hours", sa.Numeric(5, 1), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_course")),
        sa.UniqueConstraint("code", name=op.f("uq_training_course_code")),
    )
    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("trainer", sa.String(length=100), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"], ["training_course.id"], name=op.f("fk_training_session_course_id_training_course")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_training_session_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
    )
    op.create_index(op.f("ix_training_session_course_id"), "training_session", ["course_id"])
    op.create_table(
        "training_completion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Numeric(5, 1), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("certificate", sa.String(length=100), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("result IN ('pass', 'fail')", name="ck_training_completion_result"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_training_completion_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["training_course.id"],
            name=op.f("fk_training_completion_course_id_training_course"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_completion_session_id_training_session"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_training_completion_recorded_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_completion")),
    )
    op.create_index(op.f("ix_training_completion_course_id"), "training_completion", ["course_id"])
    op.create_index(
        "ix_training_completion_user_course", "training_completion", ["user_id", "course_id", "valid_until"]
    )
    op.create_table(
        "reading_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("entry_ref", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_reading_assignment_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["app_user.id"], name=op.f("fk_reading_assignment_assigned_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_assignment")),
    )
    op.create_index(op.f("ix_reading_assignment_user_id"), "reading_assignment", ["user_id"])
    _qualifications_to_completions()
    with op.batch_alter_table("qualification") as batch:
        batch.drop_index(batch.f("ix_qualification_user_id"))
    op.drop_table("qualification")


def _qualifications_to_completions():
    """Each certificate becomes a pass of the approval course, valid until its expiry (completed on the day it
    was recorded, or on its expiry when that came first)."""
    code, zh, en, topic, hours, months = APPROVAL
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO training_course (code, title_zh, title_en, topic, hours, validity_months, active, "
            "created_at) VALUES (:code, :zh, :en, :topic, :hours, :months, :active, :now)"
        ),
        {
            "code": code,
            "zh": zh,
            "en": en,
            "topic": topic,
            "hours": hours,
            "months": months,
            "active": True,
            "now": datetime.now(UTC).replace(tzinfo=None),
        },
    )
    course_id = bind.execute(
        sa.text("SELECT id FROM training_course WHERE code = :code"), {"code": code}
    ).scalar()
    rows = bind.execute(
        sa.text("SELECT user_id, certificate, valid_until, recorded_by_id, recorded_at FROM qualification")
    ).fetchall()
    for user_id, certificate, valid_until, recorded_by_id, recorded_at in rows:
        until = (
            valid_until if not isinstance(valid_until, str) else datetime.fromisoformat(valid_until).date()
        )
        at = recorded_at if not isinstance(recorded_at, str) else datetime.fromisoformat(recorded_at)
        bind.execute(
            sa.text(
                "INSERT INTO training_completion (user_id, course_id, completed_on, result, valid_until, "
                "certificate, recorded_by_id, recorded_at) VALUES (:user_id, :course_id, :completed_on, 'pass', "
                ":until, :certificate, :recorded_by_id, :recorded_at)"
            ),
            {
                "user_id": user_id,
                "course_id": course_id,
                "completed_on": min(at.date(), until),
                "until": until,
                "certificate": certificate,
                "recorded_by_id": recorded_by_id,
                "recorded_at": at,
            },
        )


def downgrade():
    op.create_table(
        "qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("certificate", sa.String(length=100), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_qualification_user_id_app_user"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["app_user.id"], name=op.f("fk_qualification_recorded_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification")),
    )
    with op.batch_alter_table("qualification") as batch:
        batch.create_index(batch.f("ix_qualification_user_id"), ["user_id"], unique=False)
    op.execute(
        "INSERT INTO qualification (user_id, certificate, valid_until, recorded_by_id, recorded_at) "
        "SELECT c.user_id, COALESCE(c.certificate, 'TRAINING-' || c.id), c.valid_until, c.recorded_by_id, "
        "c.recorded_at FROM training_completion c JOIN training_course k ON k.id = c.course_id "
        "WHERE k.code = 'CREDIT_APPROVAL' AND c.result = 'pass' AND c.valid_until IS NOT NULL"
    )
    op.drop_index("ix_reading_assignment_user_id", table_name="reading_assignment")
    op.drop_table("reading_assignment")
    op.drop_index("ix_training_completion_user_course", table_name="training_completion")
    op.drop_index("ix_training_completion_course_id", table_name="training_completion")
    op.drop_table("training_completion")
    op.drop_index("ix_training_session_course_id", table_name="training_session")
    op.drop_table("training_session")
    op.drop_table("training_course")
