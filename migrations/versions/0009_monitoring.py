"""Monitoring observations and their imports.

Revision ID: 0009_monitoring
Revises: 0008_notifications
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0009_monitoring"
down_revision = "0008_notifications"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "monitoring_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("done_rows", sa.Integer(), nullable=False),
        sa.Column("stored_rows", sa.Integer(), nullable=False),
        sa.Column("error_rows", sa.Integer(), nullable=False),
        sa.Column("errors", JSON, nullable=False),
        sa.Column("failure", sa.String(length=500), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["app_user.id"],
                                name=op.f("fk_monitoring_import_uploaded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_import")),
    )
    op.create_table(
        "observation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=False),
        sa.Column("utilization_pct", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.Column("days_past_due", sa.Integer(), nullable=True),
        sa.Column("overdue_interest", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("enforcement_records", sa.Integer(), nullable=True),
        sa.Column("tax_arrears", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("utility_arrears", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("negative_news", sa.Boolean(), nullable=True),
        sa.Column("news_note", sa.String(length=500), nullable=True),
        sa.Column("collateral_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("external_rating", sa.String(length=8), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"], name=op.f("fk_observation_customer_id_customer"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["import_id"], ["monitoring_import.id"],
                                name=op.f("fk_observation_import_id_monitoring_import"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["app_user.id"], name=op.f("fk_observation_recorded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observation")),
        sa.UniqueConstraint("customer_id", "observed_on", name=op.f("uq_observation_customer_id")),
    )


def downgrade():
    op.drop_table("observation")
    op.drop_table("monitoring_import")
