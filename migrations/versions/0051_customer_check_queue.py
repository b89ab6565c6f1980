"""Real-time monitoring (实时监控): the customers waiting for the warning rules since their observations or
statements were stored, one row each, taken by the jobs in batches.

Revision ID: 0051_customer_check_queue
Revises: 0050_scoring_drift_check
"""

import sqlalchemy as sa
from alembic import op

revision = "0051_customer_check_queue"
down_revision = "0050_scoring_drift_check"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "customer_check_queue",
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_customer_check_queue_queued_at", "customer_check_queue", ["queued_at"])


def downgrade():
    op.drop_index("ix_customer_check_queue_queued_at", table_name="customer_check_queue")
    op.drop_table("customer_check_queue")
