"""The guarantee circles as last found (担保圈): a row per firm in a circle, read by the warning rules and the
approval authority with one index read, and a row per scan of the whole network with its long chains.

Revision ID: 0039_guarantee_circles
Revises: 0038_inspections
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0039_guarantee_circles"
down_revision = "0038_inspections"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guarantee_circle_member",
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_guarantee_circle_member_circle", "guarantee_circle_member", ["circle_id"])
    op.create_table(
        "guarantee_network_scan",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("firms", sa.Integer(), nullable=False),
        sa.Column("guarantees", sa.Integer(), nullable=False),
        sa.Column("circles", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column("joined", sa.Integer(), nullable=False),
        sa.Column("left", sa.Integer(), nullable=False),
        sa.Column("max_chain_length", sa.Integer(), nullable=False),
        sa.Column(
            "chains",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("seconds", sa.Float(), nullable=False),
    )
    op.create_index("ix_guarantee_network_scan_ran_at", "guarantee_network_scan", ["ran_at"])


def downgrade():
    op.drop_index("ix_guarantee_network_scan_ran_at", table_name="guarantee_network_scan")
    op.drop_table("guarantee_network_scan")
    op.drop_index("ix_guarantee_circle_member_circle", table_name="guarantee_circle_member")
    op.drop_table("guarantee_circle_member")
