"""The monthly check of the scoring models in use (模型监测): the champion's PSI on the month's applications and the
realised default rate per grade, each judged by rules/model_drift.dmn.

Revision ID: 0050_scoring_drift_check
Revises: 0049_job_run_attempts
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0050_scoring_drift_check"
down_revision = "0049_job_run_attempts"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "scoring_drift_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(40), nullable=False),
        sa.Column("model_id", sa.Integer(), sa.ForeignKey("scoring_model.id"), nullable=True),
        sa.Column("model_label", sa.String(120), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.Column("psi", sa.Float(), nullable=True),
        sa.Column("psi_level", sa.String(16), nullable=False),
        sa.Column("psi_shares", JSON, nullable=True),
        sa.Column("grades", JSON, nullable=False),
        sa.Column("cohort", JSON, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("notified", sa.Integer(), nullable=False),
        sa.Column("telling", sa.String(16), nullable=False),
        sa.UniqueConstraint("month", "subject", name="uq_scoring_drift_check_month"),
    )
    op.create_index("ix_scoring_drift_check_month", "scoring_drift_check", ["month"])


def downgrade():
    op.drop_index("ix_scoring_drift_check_month", table_name="scoring_drift_check")
    op.drop_table("scoring_drift_check")
