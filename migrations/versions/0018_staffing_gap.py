"""Cases that cannot go on for want of someone who may act: a task nobody may do, a committee with no member
who may vote (staffing_gap).

Revision ID: 0018_staffing_gap
Revises: 0023_kept_messages
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_staffing_gap"
down_revision = "0023_kept_messages"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staffing_gap",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("task_id", sa.Integer(), sa.ForeignKey("human_task.id", ondelete="SET NULL"), nullable=True),
        sa.Column("element", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("lane", sa.String(64), nullable=True),
        sa.Column("required_level", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_staffing_gap_open", "staffing_gap", ["closed_at", "instance_id"])
    op.create_index("ux_staffing_gap_one_open", "staffing_gap", ["instance_id", "subject"], unique=True,
                    sqlite_where=sa.text("closed_at IS NULL"), postgresql_where=sa.text("closed_at IS NULL"))


def downgrade():
    op.drop_index("ux_staffing_gap_one_open", table_name="staffing_gap")
    op.drop_index("ix_staffing_gap_open", table_name="staffing_gap")
    op.drop_table("staffing_gap")
