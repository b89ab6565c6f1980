"""The case library (案例库): one case analysis per default, control or success, recorded and approved in
``workflows/case_analysis.bpmn``; one per event (a unique trigger). The rating changes get an index by case: a
step that may have recorded a default reads its own.

Revision ID: 0043_case_library
Revises: 0042_stress_tests
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0043_case_library"
down_revision = "0042_stress_tests"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "case_analysis",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("trigger_kind", sa.String(16), nullable=False),
        sa.Column("trigger_ref", sa.String(64), nullable=True),
        sa.Column(
            "instance_id",
            sa.Integer(),
            sa.ForeignKey("process_instance.id", ondelete="SET NULL"),
            nullable=True,
            unique=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("default_on", sa.Date(), nullable=True),
        sa.Column("industry", sa.String(32), nullable=True),
        sa.Column("title", sa.String(200), nullable=True),
        sa.Column("root_causes", JSON, nullable=False),
        sa.Column("missed_signals", sa.Text(), nullable=True),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column(
            "draft_id", sa.Integer(), sa.ForeignKey("design_draft.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("draft_name", sa.String(200), nullable=True),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("analyst_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("started_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("trigger_kind", "trigger_ref", name="uq_case_analysis_trigger"),
    )
    op.create_index("ix_case_analysis_customer_id", "case_analysis", ["customer_id"])
    op.create_index("ix_case_analysis_status_industry", "case_analysis", ["status", "industry"])
    # the step that recorded a default is found by its case (one query per step that may classify)
    op.create_index("ix_customer_rating_change_instance_id", "customer_rating_change", ["instance_id"])


def downgrade():
    op.drop_index("ix_customer_rating_change_instance_id", table_name="customer_rating_change")
    op.drop_index("ix_case_analysis_status_industry", table_name="case_analysis")
    op.drop_index("ix_case_analysis_customer_id", table_name="case_analysis")
    op.drop_table("case_analysis")
