"""Relationship officers: users' teams, the history of customers' officer changes (客户移交), each customer's
live limit kept by triggers on facility, and the indexes "my customers" reads an officer's book by.

Revision ID: 0035_relationship
Revises: 0034_facility_dates
"""

import sqlalchemy as sa
from alembic import op

revision = "0035_relationship"
down_revision = "0034_facility_dates"
branch_labels = None
depends_on = None


# A customer's live limit kept by triggers on facility, as app/models/customers/live_limit.py builds them.
_SUM = ("(SELECT coalesce(sum(limit_amount), 0) FROM facility WHERE customer_id = {row}.customer_id "
        "AND status IN ('active', 'frozen'))")


def _lock(row: str) -> str:  # the customer row first, so the sum after it sees a concurrent writer's facility
    return f"PERFORM 1 FROM customer WHERE id = {row}.customer_id FOR UPDATE"


def _again(row: str) -> str:
    return f"UPDATE customer SET live_limit = {_SUM.format(row=row)} WHERE id = {row}.customer_id"


TRIGGERS = {
    "sqlite": [
        f"CREATE TRIGGER facility_live_insert AFTER INSERT ON facility BEGIN {_again('new')}; END",
        "CREATE TRIGGER facility_live_update AFTER UPDATE OF customer_id, status, limit_amount ON facility BEGIN "
        f"{_again('new')}; {_again('old')} AND old.customer_id IS NOT new.customer_id; END",
        f"CREATE TRIGGER facility_live_delete AFTER DELETE ON facility BEGIN {_again('old')}; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION facility_live_limit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_lock('OLD')}; {_again('OLD')}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_lock('NEW')}; {_again('NEW')}; END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER facility_live_limit AFTER INSERT OR DELETE OR UPDATE OF customer_id, status, limit_amount "
        "ON facility FOR EACH ROW EXECUTE FUNCTION facility_live_limit()",
    ],
}
UNDO = {
    "sqlite": ["DROP TRIGGER IF EXISTS facility_live_insert", "DROP TRIGGER IF EXISTS facility_live_update",
               "DROP TRIGGER IF EXISTS facility_live_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS facility_live_limit ON facility",
                   "DROP FUNCTION IF EXISTS facility_live_limit()"],
}


def upgrade():
    op.add_column("app_user", sa.Column("team", sa.String(64), nullable=True))
    op.add_column("customer", sa.Column("live_limit", sa.Numeric(18, 2), nullable=False, server_default="0"))
    op.execute("UPDATE customer SET live_limit = (SELECT coalesce(sum(limit_amount), 0) FROM facility "
               "WHERE facility.customer_id = customer.id AND facility.status IN ('active', 'frozen'))")
    for statement in TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.create_index("ix_customer_officer_name", "customer", ["officer_id", "name"],
                    postgresql_include=["id", "loan_class", "grade", "industry", "next_review_on", "live_limit"])
    op.create_index("ix_facility_live", "facility", ["customer_id", "status", "limit_amount"],
                    postgresql_include=["matures_on"])
    op.create_table(
        "customer_officer_change",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        sa.Column("officer_before_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("officer_after_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("tasks_moved", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_customer_officer_change_customer", "customer_officer_change", ["customer_id", "changed_at"])


def downgrade():
    op.drop_index("ix_customer_officer_change_customer", table_name="customer_officer_change")
    op.drop_table("customer_officer_change")
    op.drop_index("ix_facility_live", table_name="facility")
    op.drop_index("ix_customer_officer_name", table_name="customer")
    for statement in UNDO.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("live_limit")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("team")
