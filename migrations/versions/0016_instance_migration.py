"""Running cases moved to a newer version of their process, with what is needed to roll each back.

Revision ID: 0016_instance_migration
Revises: 0015_design_draft
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0016_instance_migration"
down_revision = "0015_design_draft"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "instance_migration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("from_definition_id", sa.Integer(), nullable=False),
        sa.Column("to_definition_id", sa.Integer(), nullable=False),
        sa.Column("state_before", sa.Text(), nullable=False),
        sa.Column("serializer_version_before", sa.String(length=16), nullable=False),
        sa.Column("version_before", sa.Integer(), nullable=False),
        sa.Column("version_after", sa.Integer(), nullable=False),
        sa.Column("changes", JSON, nullable=False),
        sa.Column("migrated_by_id", sa.Integer(), nullable=True),
        sa.Column("migrated_at", sa.DateTime(), nullable=False),
        sa.Column("rolled_back_by_id", sa.Integer(), nullable=True),
        sa.Column("rolled_back_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"], ondelete="CASCADE",
                                name=op.f("fk_instance_migration_instance_id_process_instance")),
        sa.ForeignKeyConstraint(["from_definition_id"], ["process_definition.id"],
                                name=op.f("fk_instance_migration_from_definition_id_process_definition")),
        sa.ForeignKeyConstraint(["to_definition_id"], ["process_definition.id"],
                                name=op.f("fk_instance_migration_to_definition_id_process_definition")),
        sa.ForeignKeyConstraint(["migrated_by_id"], ["app_user.id"],
                                name=op.f("fk_instance_migration_migrated_by_id_app_user")),
        sa.ForeignKeyConstraint(["rolled_back_by_id"], ["app_user.id"],
                                name=op.f("fk_instance_migration_rolled_back_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_migration")),
    )
    op.create_index(op.f("ix_instance_migration_instance_id"), "instance_migration", ["instance_id"])


def downgrade():
    op.drop_index(op.f("ix_instance_migration_instance_id"), table_name="instance_migration")
    op.drop_table("instance_migration")
