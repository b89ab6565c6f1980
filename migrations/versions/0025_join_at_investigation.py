"""When a warning joined an escalation already open; one portfolio check at a time (``active``), when a
worker took it, and why it stopped as a kept message.

Revision ID: 0025_join_at_investigation
Revises: 0018_staffing_gap
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0025_join_at_investigation"
down_revision = "0018_staffing_gap"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
GOING = "status IN ('queued', 'running')"
SUPERSEDED = "Stopped when checks became one at a time: a newer check was going on."


def upgrade():
    with op.batch_alter_table("early_warning") as batch:
        batch.add_column(sa.Column("joined_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("portfolio_check") as batch:
        batch.add_column(sa.Column("active", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE portfolio_check ALTER COLUMN failure TYPE JSONB USING to_jsonb(failure)")
    else:
        with op.batch_alter_table("portfolio_check") as batch:
            batch.alter_column("failure", type_=JSON, existing_type=sa.String(500), existing_nullable=True)
        op.execute("UPDATE portfolio_check SET failure = json_quote(failure) WHERE failure IS NOT NULL "
                   "AND json_valid(failure) = 0")
    # Of the checks going on now (two could be, before), the newest goes on; the others stop, saying why.
    newest = f"(SELECT max(id) FROM portfolio_check WHERE {GOING})"
    failure = "to_jsonb(CAST(:reason AS text))" if op.get_bind().dialect.name == "postgresql" \
        else "json_quote(:reason)"
    op.execute(sa.text(f"UPDATE portfolio_check SET status = 'failed', failure = {failure}, "
                       f"finished_at = CURRENT_TIMESTAMP WHERE {GOING} AND id < {newest}")
               .bindparams(reason=SUPERSEDED))
    op.execute(f"UPDATE portfolio_check SET active = true WHERE {GOING}")
    op.create_index("ux_portfolio_check_one_active", "portfolio_check", ["active"], unique=True)


def downgrade():
    op.drop_index("ux_portfolio_check_one_active", table_name="portfolio_check")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE portfolio_check ALTER COLUMN failure TYPE VARCHAR(500) USING failure::text")
    else:
        with op.batch_alter_table("portfolio_check") as batch:
            batch.alter_column("failure", type_=sa.String(500), existing_type=JSON, existing_nullable=True)
    with op.batch_alter_table("portfolio_check") as batch:
        batch.drop_column("started_at")
        batch.drop_column("active")
    with op.batch_alter_table("early_warning") as batch:
        batch.drop_column("joined_at")
