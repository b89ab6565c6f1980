"""Who wrote each draft, and what a deployment request rests on (four eyes over every author; a request
approved after its files changed is refused).

Revision ID: 0017_draft_authors
Revises: 0016_instance_migration
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017_draft_authors"
down_revision = "0016_instance_migration"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    with op.batch_alter_table("design_draft") as batch:
        batch.add_column(sa.Column("authors", JSON, nullable=False, server_default="[]"))
    with op.batch_alter_table("deployment_request") as batch:
        batch.add_column(sa.Column("bases", JSON, nullable=True))
        batch.add_column(sa.Column("drafts", JSON, nullable=True))


def downgrade():
    with op.batch_alter_table("deployment_request") as batch:
        batch.drop_column("drafts")
        batch.drop_column("bases")
    with op.batch_alter_table("design_draft") as batch:
        batch.drop_column("authors")
