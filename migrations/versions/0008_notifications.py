"""Notifications and their e-mails; a task's warning time (SLA); a user's e-mail address.

Revision ID: 0008_notifications
Revises: 0007_qualification
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008_notifications"
down_revision = "0007_qualification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("warn_at", sa.DateTime(), nullable=True))
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_notification_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_notification_instance_id_process_instance"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["human_task.id"], name=op.f("fk_notification_task_id_human_task"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    with op.batch_alter_table("notification") as batch:
        batch.create_index("ix_notification_user_unread", ["user_id", "read_at", "id"], unique=False)
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"],
                                name=op.f("fk_outbox_mail_notification_id_notification"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mail")),
    )
    with op.batch_alter_table("outbox_mail") as batch:
        batch.create_index("ix_outbox_mail_status", ["status", "id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_mail") as batch:
        batch.drop_index("ix_outbox_mail_status")
    op.drop_table("outbox_mail")
    with op.batch_alter_table("notification") as batch:
        batch.drop_index("ix_notification_user_unread")
    op.drop_table("notification")
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("warn_at")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("email")
