"""The job outbox (a job committed with the step or upload that asks for it, relayed to the broker after)
and an import's lease (its runner, heartbeat and attempts, so a watchdog resumes what a lost worker held).

Revision ID: 0028_job_outbox
Revises: 0027_task_about
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0028_job_outbox"
down_revision = "0027_task_about"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "job_outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("task", sa.String(200), nullable=False),
        sa.Column("args", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_job_outbox_unsent", "job_outbox", ["sent_at", "id"])
    with op.batch_alter_table("monitoring_import") as batch:
        batch.add_column(sa.Column("runner", sa.String(36), nullable=True))
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("monitoring_import") as batch:
        batch.drop_column("attempts")
        batch.drop_column("heartbeat_at")
        batch.drop_column("runner")
    op.drop_index("ix_job_outbox_unsent", table_name="job_outbox")
    op.drop_table("job_outbox")
