"""Connected groups (统一授信) on customers, and settings the administrator keeps (tier-1 capital).

Revision ID: 0006_exposure
Revises: 0005_case_document
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_exposure"
down_revision = "0005_case_document"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("group_name", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_customer_group_name"), ["group_name"], unique=False)
    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["updated_by_id"], ["app_user.id"], name=op.f("fk_app_setting_updated_by_id_app_user")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_setting")),
    )


def downgrade():
    op.drop_table("app_setting")
    with op.batch_alter_table("customer") as batch:
        batch.drop_index(batch.f("ix_customer_group_name"))
        batch.drop_column("group_name")
