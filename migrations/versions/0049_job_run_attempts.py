"""A run of a long job (a model's training, a stress test) keeps when it was last queued or taken by a worker and how
many times it was taken, so that a run whose worker was lost is queued again from the moment it was taken, not from
when it was asked for, and one that kills its worker every time is failed.

Revision ID: 0049_job_run_attempts
Revises: 0048_scoring_governance
"""

import sqlalchemy as sa
from alembic import op

revision = "0049_job_run_attempts"
down_revision = "0048_scoring_governance"
branch_labels = None
depends_on = None

TABLES = {"scoring_training_run": "requested_at", "stress_run": "started_at"}


def upgrade():
    for table, asked in TABLES.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("attempted_at", sa.DateTime(), nullable=True))
            batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        op.execute(f"UPDATE {table} SET attempted_at = {asked}")  # noqa: S608 - the two names above
        with op.batch_alter_table(table) as batch:
            batch.alter_column("attempted_at", existing_type=sa.DateTime(), nullable=False)


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("attempts")
            batch.drop_column("attempted_at")
