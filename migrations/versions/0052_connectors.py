"""External data connectors (外部数据): each source's cursor, health and pause, every payload it delivered with its
provenance, and the observation a payload became. The bank's own channels keep one observation a day per
customer; a connector's come one per event.

Revision ID: 0052_connectors
Revises: 0051_customer_check_queue
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0052_connectors"
down_revision = "0051_customer_check_queue"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OWN_CHANNELS = sa.text("payload_id IS NULL")


def upgrade():
    op.create_table(
        "connector_source",
        sa.Column("key", sa.String(32), primary_key=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("cursor", sa.String(200), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", JSON, nullable=True),
        sa.Column("last_error_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("breaker", sa.String(16), nullable=False),
        sa.Column("newest_event_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "connector_payload",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(32), sa.ForeignKey("connector_source.key"), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("request_id", sa.String(100), nullable=True),
        sa.Column("delivery", sa.String(8), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("event_at", sa.DateTime(), nullable=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="SET NULL"), nullable=True),
        sa.Column("body", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reasons", JSON, nullable=True),
        sa.UniqueConstraint("source", "event_id"),
    )
    op.create_index("ix_connector_payload_customer_id", "connector_payload", ["customer_id"])
    with op.batch_alter_table("observation") as batch:
        batch.add_column(sa.Column("payload_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_observation_payload_id_connector_payload", "connector_payload", ["payload_id"], ["id"]
        )
        batch.create_unique_constraint("uq_observation_payload_id", ["payload_id"])
        batch.drop_constraint("uq_observation_customer_id", type_="unique")
    op.create_index(
        "uq_observation_customer_id",
        "observation",
        ["customer_id", "observed_on"],
        unique=True,
        sqlite_where=OWN_CHANNELS,
        postgresql_where=OWN_CHANNELS,
    )


def downgrade():
    op.drop_index("uq_observation_customer_id", table_name="observation")
    op.execute("DELETE FROM observation WHERE payload_id IS NOT NULL")
    with op.batch_alter_table("observation") as batch:
        batch.create_unique_constraint("uq_observation_customer_id", ["customer_id", "observed_on"])
        batch.drop_constraint("uq_observation_payload_id", type_="unique")
        batch.drop_constraint("fk_observation_payload_id_connector_payload", type_="foreignkey")
        batch.drop_column("payload_id")
    op.drop_index("ix_connector_payload_customer_id", table_name="connector_payload")
    op.drop_table("connector_payload")
    op.drop_table("connector_source")
