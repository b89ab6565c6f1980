"""Approvers' qualifications (training certificate with expiry).

Revision ID: 0007_qualification
Revises: 0006_exposure
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_qualification"
down_revision = "0006_exposure"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "qualification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("certificate", sa.String(length=100), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], name=op.f("fk_qualification_user_id_app_user"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["app_user.id"],
                                name=op.f("fk_qualification_recorded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification")),
    )
    with op.batch_alter_table("qualification") as batch:
        batch.create_index(batch.f("ix_qualification_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("qualification") as batch:
        batch.drop_index(batch.f("ix_qualification_user_id"))
    op.drop_table("qualification")
