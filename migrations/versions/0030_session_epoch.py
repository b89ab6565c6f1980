"""A user's session epoch: counted up at log-out, password change or reset and deactivation, so every
browser session signed in before it ends on the server (a copied or replayed cookie opens nothing).

Revision ID: 0030_session_epoch
Revises: 0029_readable_json
"""

import sqlalchemy as sa
from alembic import op

revision = "0030_session_epoch"
down_revision = "0029_readable_json"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("app_user", sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("session_epoch")
