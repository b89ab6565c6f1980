"""Index human_task by who completed it (the sign-off inbox's 审贷分离 filter).

Revision ID: 0002_completed_by
Revises: ffe3bf592214
"""

from alembic import op

revision = "0002_completed_by"
down_revision = "ffe3bf592214"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.create_index("ix_human_task_completed_by", ["completed_by_id", "lane", "instance_id"])


def downgrade():
    with op.batch_alter_table("human_task") as batch:
        batch.drop_index("ix_human_task_completed_by")
