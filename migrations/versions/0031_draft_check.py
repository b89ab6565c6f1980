"""A draft's check as a job: what a check of the working copy found, by file and fingerprint, so no save or
editor page waits on a designer's code.

Revision ID: 0031_draft_check
Revises: 0030_session_epoch
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0031_draft_check"
down_revision = "0030_session_epoch"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "draft_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("problems", JSON, nullable=False),
        sa.Column("tests", JSON, nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("kind", "name", "fingerprint", name="uq_draft_check_file_fingerprint"),
    )


def downgrade():
    op.drop_table("draft_check")
