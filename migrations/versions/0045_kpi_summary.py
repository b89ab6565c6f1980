"""The KPI dashboards as last precomputed (绩效考核): a row per scope (the bank, a branch, a person's own
dashboard, a person's page) and language.

Revision ID: 0045_kpi_summary
Revises: 0044_training
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0045_kpi_summary"
down_revision = "0044_training"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kpi_summary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("page", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("scope", "locale", name="uq_kpi_summary_scope"),
    )


def downgrade():
    op.drop_table("kpi_summary")
