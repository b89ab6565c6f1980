"""Designers' drafts of workflows/, rules/ and forms/ files, saved as they edit in the browser.

Revision ID: 0015_design_draft
Revises: 0014_deployment_request
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_design_draft"
down_revision = "0014_deployment_request"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "design_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("base_hash", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"],
                                name=op.f("fk_design_draft_created_by_id_app_user")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"],
                                name=op.f("fk_design_draft_updated_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_design_draft")),
        sa.UniqueConstraint("kind", "name", name="uq_design_draft_kind_name"),
    )


def downgrade():
    op.drop_table("design_draft")
