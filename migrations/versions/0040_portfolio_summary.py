"""The portfolio dashboard as last precomputed (风险管理驾驶舱): a row per scope and language.

Revision ID: 0040_portfolio_summary
Revises: 0039_guarantee_circles
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0040_portfolio_summary"
down_revision = "0039_guarantee_circles"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portfolio_summary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scope", sa.String(80), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=False),
        sa.Column("date_to", sa.Date(), nullable=False),
        sa.Column("sections", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("scope", "locale", name="uq_portfolio_summary_scope"),
    )


def downgrade():
    op.drop_table("portfolio_summary")
