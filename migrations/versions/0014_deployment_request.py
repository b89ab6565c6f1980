"""Deployments waiting for a second designer's approval (four-eyes on policy changes).

Revision ID: 0014_deployment_request
Revises: 0013_audit_search
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014_deployment_request"
down_revision = "0013_audit_search"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "deployment_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("files", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("outcome", JSON, nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["app_user.id"],
                                name=op.f("fk_deployment_request_requested_by_id_app_user")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["app_user.id"],
                                name=op.f("fk_deployment_request_decided_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment_request")),
    )


def downgrade():
    op.drop_table("deployment_request")
