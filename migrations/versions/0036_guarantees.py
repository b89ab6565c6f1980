"""The guarantee register (担保): who guarantees whom, for which facility, how much and of what kind, read in
both directions by customer and status (the customer page, and the guarantee circles over the whole book).

Revision ID: 0036_guarantees
Revises: 0035_relationship
"""

import sqlalchemy as sa
from alembic import op

revision = "0036_guarantees"
down_revision = "0035_relationship"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "guarantee",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "guarantor_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "facility_id", sa.Integer(), sa.ForeignKey("facility.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("guarantor_id <> customer_id", name="ck_guarantee_not_self"),
        sa.CheckConstraint("amount > 0", name="ck_guarantee_amount_positive"),
    )
    op.create_index("ix_guarantee_guarantor_status", "guarantee", ["guarantor_id", "status"])
    op.create_index("ix_guarantee_customer_status", "guarantee", ["customer_id", "status"])


def downgrade():
    op.drop_index("ix_guarantee_customer_status", table_name="guarantee")
    op.drop_index("ix_guarantee_guarantor_status", table_name="guarantee")
    op.drop_table("guarantee")
