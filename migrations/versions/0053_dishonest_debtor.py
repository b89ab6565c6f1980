"""Whether a customer stood on the courts' list of dishonest debtors (失信被执行人) when observed: a figure of an
observation (the court source sends it), which the warning rules read.

Revision ID: 0053_dishonest_debtor
Revises: 0052_connectors
"""

import sqlalchemy as sa
from alembic import op

revision = "0053_dishonest_debtor"
down_revision = "0052_connectors"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("observation") as batch:
        batch.add_column(sa.Column("dishonest_debtor", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("observation") as batch:
        batch.drop_column("dishonest_debtor")
