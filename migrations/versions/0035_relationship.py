"""Relationship officers: users' teams, the history of customers' officer changes (客户移交), and the indexes
"my customers" reads an officer's book and its live limits by.

Revision ID: 0035_relationship
Revises: 0032_customer_contacts
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_relationship"
down_revision = "0032_customer_contacts"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("app_user", sa.Column("team", sa.String(64), nullable=True))
    op.create_index("ix_customer_officer_name", "customer", ["officer_id", "name"])
    op.create_index("ix_facility_live", "facility", ["customer_id", "status", "limit_amount"])
    op.create_table(
        "customer_officer_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("officer_before_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("officer_after_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("tasks_moved", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_customer_officer_change_customer", "customer_officer_change", ["customer_id", "changed_at"])


def downgrade():
    op.drop_index("ix_customer_officer_change_customer", table_name="customer_officer_change")
    op.drop_table("customer_officer_change")
    op.drop_index("ix_facility_live", table_name="facility")
    op.drop_index("ix_customer_officer_name", table_name="customer")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("team")
