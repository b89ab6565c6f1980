"""An import's failure is kept as a message (msgid and values), shown in the reader's language.

Revision ID: 0023_kept_messages
Revises: 0019_warning_groups
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023_kept_messages"
down_revision = "0019_warning_groups"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE monitoring_import ALTER COLUMN failure TYPE JSONB USING to_jsonb(failure)")
        return
    with op.batch_alter_table("monitoring_import") as batch:
        batch.alter_column("failure", type_=JSON, existing_type=sa.String(500), existing_nullable=True)
    # an older row's text becomes a JSON string
    op.execute("UPDATE monitoring_import SET failure = json_quote(failure) WHERE failure IS NOT NULL "
               "AND json_valid(failure) = 0")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE monitoring_import ALTER COLUMN failure TYPE VARCHAR(500) USING failure::text")
        return
    with op.batch_alter_table("monitoring_import") as batch:
        batch.alter_column("failure", type_=sa.String(500), existing_type=JSON, existing_nullable=True)
