"""The collateral register (押品): each item securing a borrower's credit, the live facilities it secures with
their shares, and its valuations (the first, then one per revaluation process, with its report).

Revision ID: 0037_collateral
Revises: 0036_guarantees
"""

import sqlalchemy as sa
from alembic import op

revision = "0037_collateral"
down_revision = "0036_guarantees"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "collateral",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("owner_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("certificate_no", sa.String(100), nullable=True),
        sa.Column("appraised_value", sa.Numeric(18, 2), nullable=False),
        sa.Column("appraised_on", sa.Date(), nullable=False),
        sa.Column("appraiser", sa.String(200), nullable=False),
        sa.Column("haircut", sa.Numeric(5, 4), nullable=False),
        sa.Column("haircut_rule", sa.String(100), nullable=False),
        sa.Column("insured_amount", sa.Numeric(18, 2), nullable=True),
        sa.Column("insurer", sa.String(200), nullable=True),
        sa.Column("insurance_expires_on", sa.Date(), nullable=True),
        sa.Column("next_revaluation_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "revaluation_case_id",
            sa.Integer(),
            sa.ForeignKey("process_instance.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("released_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("appraised_value > 0", name="ck_collateral_value_positive"),
        sa.CheckConstraint("haircut >= 0 AND haircut <= 1", name="ck_collateral_haircut"),
        sa.CheckConstraint(
            "insured_amount IS NULL OR insured_amount > 0", name="ck_collateral_insured_positive"
        ),
    )
    op.create_index("ix_collateral_customer_status", "collateral", ["customer_id", "status"])
    op.create_index("ix_collateral_status_revaluation", "collateral", ["status", "next_revaluation_on"])
    op.create_index("ix_collateral_status_insurance", "collateral", ["status", "insurance_expires_on"])
    op.create_table(
        "collateral_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collateral_id",
            sa.Integer(),
            sa.ForeignKey("collateral.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "facility_id", sa.Integer(), sa.ForeignKey("facility.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("share", sa.Numeric(5, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("collateral_id", "facility_id", name="uq_collateral_link"),
        sa.CheckConstraint("share > 0 AND share <= 100", name="ck_collateral_link_share"),
    )
    op.create_index("ix_collateral_link_facility", "collateral_link", ["facility_id"])
    op.create_table(
        "collateral_valuation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "collateral_id",
            sa.Integer(),
            sa.ForeignKey("collateral.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("value", sa.Numeric(18, 2), nullable=False),
        sa.Column("valued_on", sa.Date(), nullable=False),
        sa.Column("appraiser", sa.String(200), nullable=False),
        sa.Column("haircut", sa.Numeric(5, 4), nullable=False),
        sa.Column("haircut_rule", sa.String(100), nullable=False),
        sa.Column(
            "report_id", sa.Integer(), sa.ForeignKey("attachment.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "instance_id",
            sa.Integer(),
            sa.ForeignKey("process_instance.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_collateral_valuation_item", "collateral_valuation", ["collateral_id", "valued_on"])


def downgrade():
    op.drop_index("ix_collateral_valuation_item", table_name="collateral_valuation")
    op.drop_table("collateral_valuation")
    op.drop_index("ix_collateral_link_facility", table_name="collateral_link")
    op.drop_table("collateral_link")
    op.drop_index("ix_collateral_status_insurance", table_name="collateral")
    op.drop_index("ix_collateral_status_revaluation", table_name="collateral")
    op.drop_index("ix_collateral_customer_status", table_name="collateral")
    op.drop_table("collateral")
