"""Files attached to customers, cases, warnings and compliance checklist items (资料): metadata only, the bytes
in the document store keyed by their SHA-256.

Revision ID: 0033_attachments
Revises: 0032_customer_contacts
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_attachments"
down_revision = "0032_customer_contacts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=True),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("warning_id", sa.Integer(), sa.ForeignKey("early_warning.id", ondelete="SET NULL"), nullable=True),
        sa.Column("checklist_item", sa.String(40), nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("deleted_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("delete_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_attachment_customer", "attachment", ["customer_id", "uploaded_at"])
    op.create_index("ix_attachment_instance", "attachment", ["instance_id", "uploaded_at"])
    op.create_index("ix_attachment_sha256", "attachment", ["sha256"])


def downgrade():
    op.drop_index("ix_attachment_sha256", table_name="attachment")
    op.drop_index("ix_attachment_instance", table_name="attachment")
    op.drop_index("ix_attachment_customer", table_name="attachment")
    op.drop_table("attachment")
