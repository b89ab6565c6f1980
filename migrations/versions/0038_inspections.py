"""Post-loan inspection visits (贷后检查): each customer's inspections, the next one planned and those under way
or signed off, one at a time per customer (a partial unique index over the open statuses). A notification's kind
takes up to 32 characters (``inspection_overdue`` is 18; PostgreSQL refuses what SQLite let through).

Revision ID: 0038_inspections
Revises: 0037_collateral
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0038_inspections"
down_revision = "0037_collateral"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
ONE_OPEN = "status IN ('planned', 'open', 'submitted', 'returned')"


def upgrade():
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "instance_id",
            sa.Integer(),
            sa.ForeignKey("process_instance.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "facility_id",
            sa.Integer(),
            sa.ForeignKey("facility.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
        sa.Column(
            "warning_id", sa.Integer(), sa.ForeignKey("early_warning.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("reason", sa.String(500), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("rule_id", sa.String(100), nullable=True),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=True),
        sa.Column("visited_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("record", JSON, nullable=True),
        sa.Column("findings", JSON, nullable=True),
        sa.Column("worst_severity", sa.String(8), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("returned_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("return_comment", sa.Text(), nullable=True),
        sa.Column("signed_off_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(), nullable=True),
        sa.Column("sign_off_comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ux_inspection_one_open",
        "inspection",
        ["customer_id"],
        unique=True,
        sqlite_where=sa.text(ONE_OPEN),
        postgresql_where=sa.text(ONE_OPEN),
    )
    op.create_index("ix_inspection_status_opens", "inspection", ["status", "opens_on"])
    op.create_index("ix_inspection_status_due", "inspection", ["status", "due_on"])
    op.create_index("ix_inspection_customer_signed", "inspection", ["customer_id", "signed_off_at"])
    op.create_index("ix_inspection_warning_id", "inspection", ["warning_id"])
    with op.batch_alter_table("notification") as notification:
        notification.alter_column(
            "kind", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False
        )


def downgrade():
    with op.batch_alter_table("notification") as notification:
        notification.alter_column(
            "kind", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False
        )
    op.drop_index("ix_inspection_warning_id", table_name="inspection")
    op.drop_index("ix_inspection_customer_signed", table_name="inspection")
    op.drop_index("ix_inspection_status_due", table_name="inspection")
    op.drop_index("ix_inspection_status_opens", table_name="inspection")
    op.drop_index("ux_inspection_one_open", table_name="inspection")
    op.drop_table("inspection")
