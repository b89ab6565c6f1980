"""One escalation for a customer's warnings (each warning's rule and the figures that triggered it), the
portfolio check's runs with their progress, and the history of a customer's grade and class.

Revision ID: 0019_warning_groups
Revises: 0017_draft_authors
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019_warning_groups"
down_revision = "0017_draft_authors"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("early_warning") as batch:
        batch.add_column(sa.Column("rule_text", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("figures", JSON, nullable=True))
    op.create_index("ix_early_warning_instance", "early_warning", ["instance_id"])
    op.create_table(
        "portfolio_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("signals", sa.Integer(), nullable=False),
        sa.Column("groups_total", sa.Integer(), nullable=False),
        sa.Column("groups_done", sa.Integer(), nullable=False),
        sa.Column("raised", sa.Integer(), nullable=False),
        sa.Column("started", JSON, nullable=False),
        sa.Column("joined", JSON, nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "customer_rating_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("process_instance.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("grade_before", sa.String(length=8), nullable=True),
        sa.Column("grade_after", sa.String(length=8), nullable=True),
        sa.Column("class_before", sa.String(length=16), nullable=True),
        sa.Column("class_after", sa.String(length=16), nullable=True),
        sa.Column("capped_from", sa.String(length=8), nullable=True),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("changed_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_customer_rating_change_customer_id", "customer_rating_change", ["customer_id"])


def downgrade():
    op.drop_index("ix_customer_rating_change_customer_id", table_name="customer_rating_change")
    op.drop_table("customer_rating_change")
    op.drop_table("portfolio_check")
    op.drop_index("ix_early_warning_instance", table_name="early_warning")
    with op.batch_alter_table("early_warning") as batch:
        batch.drop_column("figures")
        batch.drop_column("rule_text")
