"""Credit scoring models: every trained version kept whole, with its data's fingerprint, figures and signed
artifact.

Revision ID: 0047_scoring_model
Revises: 0046_guarantee_chain_member
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0047_scoring_model"
down_revision = "0046_guarantee_chain_member"
branch_labels = None
depends_on = None


def _json():
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade():
    op.create_table(
        "scoring_model",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_name", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("defaults", sa.Integer(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("target", sa.String(80), nullable=False),
        sa.Column("bad_value", sa.String(80), nullable=False),
        sa.Column("params", _json(), nullable=False),
        sa.Column("features", _json(), nullable=False),
        sa.Column("excluded", _json(), nullable=False),
        sa.Column("figures", _json(), nullable=False),
        sa.Column("n_train", sa.Integer(), nullable=False),
        sa.Column("n_validation", sa.Integer(), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.String(64), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("author_name", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("name", "version", name="uq_scoring_model_version"),
    )
    op.create_index("ix_scoring_model_status", "scoring_model", ["status"])


def downgrade():
    op.drop_index("ix_scoring_model_status", table_name="scoring_model")
    op.drop_table("scoring_model")
