"""A customer's live limit (``customer.live_limit``): the sum of its live (active and frozen) facilities'
limits, as every exposure counts them, kept by the database.

"My customers" totals, sorts and shows every customer's live limit; summed from the facilities, an officer's
book of 5,000 customers costs 5,000 index probes on every page. Kept on the customer, it is read with the
other columns the list reads (from ``ix_customer_officer_name`` alone on PostgreSQL).

Triggers on ``facility`` keep it exact on every write path — a decided case, a risk control that cuts a limit
or freezes a facility, a renewal, a bulk load, a migration — whoever writes the row: after a facility is
inserted, deleted, or changes customer, status or limit, its customer's (and a former customer's) live limit
is summed again. The triggers are built with the table (``create_all``: tests, benches) and by migration
0035; they are not SQLAlchemy objects.
"""

from __future__ import annotations

from sqlalchemy import event

from app.models.customers.customer import LIVE_FACILITY_STATUSES, Facility

_LIVE = ", ".join(f"'{status}'" for status in LIVE_FACILITY_STATUSES)
_SUM = (
    "(SELECT coalesce(sum(limit_amount), 0) FROM facility WHERE customer_id = {row}.customer_id "
    f"AND status IN ({_LIVE}))"
)


def _again(row: str) -> str:
    return f"UPDATE customer SET live_limit = {_SUM.format(row=row)} WHERE id = {row}.customer_id"


def _lock(row: str) -> str:
    """Wait for the customer row first, in a statement of its own: the sum after it reads a snapshot taken once
    any other transaction writing this customer's facilities has committed (READ COMMITTED takes one per
    statement), so two writes at once never leave a sum that misses the other's facility."""
    return f"PERFORM 1 FROM customer WHERE id = {row}.customer_id FOR UPDATE"


def sqlite_statements() -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS facility_live_insert",
        "DROP TRIGGER IF EXISTS facility_live_update",
        "DROP TRIGGER IF EXISTS facility_live_delete",
        f"CREATE TRIGGER facility_live_insert AFTER INSERT ON facility BEGIN {_again('new')}; END",
        "CREATE TRIGGER facility_live_update AFTER UPDATE OF customer_id, status, limit_amount ON facility BEGIN "
        f"{_again('new')}; {_again('old')} AND old.customer_id IS NOT new.customer_id; END",
        f"CREATE TRIGGER facility_live_delete AFTER DELETE ON facility BEGIN {_again('old')}; END",
    ]


def postgresql_statements() -> list[str]:
    return [
        "CREATE OR REPLACE FUNCTION facility_live_limit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_lock('OLD')}; {_again('OLD')}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_lock('NEW')}; {_again('NEW')}; END IF; "
        "RETURN NULL; END $$",
        "DROP TRIGGER IF EXISTS facility_live_limit ON facility",
        "CREATE TRIGGER facility_live_limit AFTER INSERT OR DELETE OR UPDATE OF customer_id, status, limit_amount "
        "ON facility FOR EACH ROW EXECUTE FUNCTION facility_live_limit()",
    ]


def install(connection) -> None:
    """Build the triggers on this connection (SQLite or PostgreSQL)."""
    statements = {"sqlite": sqlite_statements, "postgresql": postgresql_statements}.get(
        connection.dialect.name
    )
    for statement in statements() if statements else []:
        connection.exec_driver_sql(statement)


event.listen(Facility.__table__, "after_create", lambda _table, connection, **_kw: install(connection))
