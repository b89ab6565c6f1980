"""What a task of a multi-instance step is about (the sampled case it reviews, the finding it remedies):
its case, reference and customer, shown in queues and on the task page beside the step's name.

Revision ID: 0027_task_about
Revises: 0021_admin_search
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0027_task_about"
down_revision = "0021_admin_search"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.add_column("human_task", sa.Column("about", JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("about")
