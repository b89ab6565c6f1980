"""A customer's next periodic review date.

Revision ID: 0011_periodic_review
Revises: 0010_early_warning
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_periodic_review"
down_revision = "0010_early_warning"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("next_review_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("next_review_on")
