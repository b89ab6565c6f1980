"""The BPMN files of the processes a definition's call activities call, stored with it.

Revision ID: 0004_called_files
Revises: 0003_open_tasks
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004_called_files"
down_revision = "0003_open_tasks"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("process_definition") as batch:
        batch.add_column(sa.Column("called_files", JSON, nullable=False, server_default="{}"))


def downgrade():
    with op.batch_alter_table("process_definition") as batch:
        batch.drop_column("called_files")
