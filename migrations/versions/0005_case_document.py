"""Rendered credit memos and approval certificates, kept with their case.

Revision ID: 0005_case_document
Revises: 0004_called_files
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_case_document"
down_revision = "0004_called_files"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "case_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("instance_version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("rendered_by_id", sa.Integer(), nullable=True),
        sa.Column("rendered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instance.id"],
                                name=op.f("fk_case_document_instance_id_process_instance"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["rendered_by_id"], ["app_user.id"],
                                name=op.f("fk_case_document_rendered_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_document")),
    )
    with op.batch_alter_table("case_document") as batch:
        batch.create_index("ix_case_document_lookup", ["instance_id", "kind", "language", "instance_version"])


def downgrade():
    with op.batch_alter_table("case_document") as batch:
        batch.drop_index("ix_case_document_lookup")
    op.drop_table("case_document")
