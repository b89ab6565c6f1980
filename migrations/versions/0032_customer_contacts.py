"""Customers' contact people (客户联系人) and the contact log (联系记录) with its follow-ups.

Revision ID: 0032_customer_contacts
Revises: 0031_draft_check
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_customer_contacts"
down_revision = "0031_draft_check"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "customer_contact",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("id_type", sa.String(16), nullable=True),
        sa.Column("id_number", sa.String(32), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
    )
    op.create_index("ix_customer_contact_customer_id", "customer_contact", ["customer_id"])
    op.create_table(
        "contact_log_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("customer_contact.id"), nullable=True),
        sa.Column("contact_name", sa.String(100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("follow_up_on", sa.Date(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("follow_up_notified_at", sa.DateTime(), nullable=True),
        sa.Column("follow_up_done_at", sa.DateTime(), nullable=True),
        sa.Column("follow_up_done_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
    )
    op.create_index("ix_contact_log_entry_customer_id", "contact_log_entry", ["customer_id"])
    op.create_index("ix_contact_log_follow_up_open", "contact_log_entry", ["follow_up_on", "follow_up_done_at"])


def downgrade():
    op.drop_index("ix_contact_log_follow_up_open", table_name="contact_log_entry")
    op.drop_index("ix_contact_log_entry_customer_id", table_name="contact_log_entry")
    op.drop_table("contact_log_entry")
    op.drop_index("ix_customer_contact_customer_id", table_name="customer_contact")
    op.drop_table("customer_contact")
