"""Early warnings, facility changes, a customer's five-category class and watchlist flag.

Revision ID: 0010_early_warning
Revises: 0009_monitoring
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_early_warning"
down_revision = "0009_monitoring"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("loan_class", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("watchlist", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "early_warning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("rules_hash", sa.String(length=64), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_early_warning_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_early_warning_instance_id_process_instance"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_early_warning")),
    )
    with op.batch_alter_table("early_warning") as batch:
        batch.create_index(batch.f("ix_early_warning_customer_id"), ["customer_id"], unique=False)
        batch.create_index("ix_early_warning_open", ["status", "customer_id", "code"], unique=False)
    op.create_table(
        "facility_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("before", JSON, nullable=False),
        sa.Column("after", JSON, nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["facility_id"], ["facility.id"], name=op.f("fk_facility_change_facility_id_facility"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_facility_change_instance_id_process_instance"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["applied_by_id"], ["app_user.id"], name=op.f("fk_facility_change_applied_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_change")),
    )
    with op.batch_alter_table("facility_change") as batch:
        batch.create_index(batch.f("ix_facility_change_facility_id"), ["facility_id"], unique=False)


def downgrade():
    with op.batch_alter_table("facility_change") as batch:
        batch.drop_index(batch.f("ix_facility_change_facility_id"))
    op.drop_table("facility_change")
    with op.batch_alter_table("early_warning") as batch:
        batch.drop_index("ix_early_warning_open")
        batch.drop_index(batch.f("ix_early_warning_customer_id"))
    op.drop_table("early_warning")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("watchlist")
        batch.drop_column("loan_class")
