"""Scoring models' governance (each proposal and four-eyes decision, one champion at most) and trainings asked for in the browser or
over the API, run as jobs.

Revision ID: 0048_scoring_governance
Revises: 0047_scoring_model
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0048_scoring_governance"
down_revision = "0047_scoring_model"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_scoring_model_one_champion",
        "scoring_model",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'champion'"),
        postgresql_where=sa.text("status = 'champion'"),
    )
    op.create_table(
        "scoring_model_decision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("model_id", sa.Integer(), sa.ForeignKey("scoring_model.id", ondelete="CASCADE"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_scoring_model_decision_model_id", "scoring_model_decision", ["model_id"])
    op.create_table(
        "scoring_training_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("bad_value", sa.String(80), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("monotonic", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("model_id", sa.Integer(), sa.ForeignKey("scoring_model.id"), nullable=True),
        sa.Column("problems", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    )


def downgrade():
    op.drop_index("uq_scoring_model_one_champion", table_name="scoring_model")
    op.drop_table("scoring_training_run")
    op.drop_index("ix_scoring_model_decision_model_id", table_name="scoring_model_decision")
    op.drop_table("scoring_model_decision")
