"""What the last step left waiting on each instance (open user tasks, waiting timers).

Revision ID: 0003_open_tasks
Revises: 0002_completed_by
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003_open_tasks"
down_revision = "0002_completed_by"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("process_instance") as batch:
        batch.add_column(sa.Column("open_tasks", JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("waiting_timers", sa.Integer(), nullable=False, server_default="0"))
    # Instances that already run: their open tasks and waiting timers, from the projections.
    op.execute("""
        UPDATE process_instance SET waiting_timers = (
            SELECT count(*) FROM timer WHERE timer.instance_id = process_instance.id AND timer.status = 'waiting')
    """)
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT instance_id, task_uuid FROM human_task WHERE state = 'ready'")).all()
    open_by_instance: dict[int, list[str]] = {}
    for instance_id, task_uuid in rows:
        open_by_instance.setdefault(instance_id, []).append(task_uuid)
    table = sa.table("process_instance", sa.column("id", sa.Integer), sa.column("open_tasks", JSON))
    for instance_id, uuids in open_by_instance.items():
        bind.execute(table.update().where(table.c.id == instance_id).values(open_tasks=uuids))


def downgrade():
    with op.batch_alter_table("process_instance") as batch:
        batch.drop_column("waiting_timers")
        batch.drop_column("open_tasks")
