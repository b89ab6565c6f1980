"""Stress testing (压力测试): scenarios as data, each run over the book and what it found per customer.

Revision ID: 0042_stress_tests
Revises: 0040_portfolio_summary
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0042_stress_tests"
down_revision = "0040_portfolio_summary"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade():
    op.create_table(
        "stress_scenario",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("shocks", JSON, nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "stress_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "scenario_id",
            sa.Integer(),
            sa.ForeignKey("stress_scenario.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("shocks", JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("summary", JSON, nullable=True),
        sa.Column("industries", JSON, nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
    )
    op.create_index("ix_stress_run_scenario_id", "stress_run", ["scenario_id"])
    op.create_table(
        "stress_outcome",
        sa.Column(
            "run_id", sa.Integer(), sa.ForeignKey("stress_run.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("industry", sa.String(32), nullable=True),
        sa.Column("ead", sa.Float(), nullable=False),
        sa.Column("pd_before", sa.Float(), nullable=False),
        sa.Column("pd_after", sa.Float(), nullable=False),
        sa.Column("grade_before", sa.String(8), nullable=True),
        sa.Column("grade_after", sa.String(8), nullable=True),
        sa.Column("class_before", sa.String(16), nullable=False),
        sa.Column("class_after", sa.String(16), nullable=False),
        sa.Column("lgd_before", sa.Float(), nullable=False),
        sa.Column("lgd_after", sa.Float(), nullable=False),
        sa.Column("el_before", sa.Float(), nullable=False),
        sa.Column("el_after", sa.Float(), nullable=False),
        sa.Column("warnings_before", sa.Integer(), nullable=False),
        sa.Column("warnings_after", sa.Integer(), nullable=False),
        sa.Column("new_warnings", sa.String(400), nullable=True),
    )
    op.create_index("ix_stress_outcome_customer_id", "stress_outcome", ["customer_id"])


def downgrade():
    op.drop_index("ix_stress_outcome_customer_id", table_name="stress_outcome")
    op.drop_table("stress_outcome")
    op.drop_index("ix_stress_run_scenario_id", table_name="stress_run")
    op.drop_table("stress_run")
    op.drop_table("stress_scenario")
