"""The firms on a guarantee chain (担保链) longer than the policy accepts, as the last scan of the whole book found
them: what the warning rules read.

Revision ID: 0046_guarantee_chain_member
Revises: 0045_kpi_summary
"""

import sqlalchemy as sa
from alembic import op

revision = "0046_guarantee_chain_member"
down_revision = "0045_kpi_summary"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guarantee_chain_member",
        sa.Column(
            "customer_id",
            sa.Integer(),
            sa.ForeignKey("customer.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("steps", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
    )


def downgrade():
    op.drop_table("guarantee_chain_member")
