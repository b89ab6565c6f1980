"""What an early warning rests on; at most one open warning per customer and signal, and one running
periodic review per customer.

Revision ID: 0012_one_open
Revises: 0011_periodic_review
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_one_open"
down_revision = "0011_periodic_review"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")
RUNNING_REVIEW = sa.text("process_id = 'periodic_review' AND status = 'running'")


def upgrade():
    with op.batch_alter_table("early_warning") as batch:
        batch.add_column(sa.Column("basis", sa.String(length=40), nullable=True))
    op.create_index("ux_early_warning_one_open", "early_warning", ["customer_id", "code"], unique=True,
                    sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_index("ux_process_instance_one_review", "process_instance", ["customer_id"], unique=True,
                    sqlite_where=RUNNING_REVIEW, postgresql_where=RUNNING_REVIEW)


def downgrade():
    op.drop_index("ux_process_instance_one_review", table_name="process_instance")
    op.drop_index("ux_early_warning_one_open", table_name="early_warning")
    with op.batch_alter_table("early_warning") as batch:
        batch.drop_column("basis")
