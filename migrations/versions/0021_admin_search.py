"""Substring search through an index (trigram GIN on PostgreSQL, FTS5 trigram tables on SQLite), and a
password the administrator set that its user must change at the next log-in.

The text indexes are not SQLAlchemy objects (see app/models/cases/search.py, which builds the same ones for
``create_all``). On SQLite they are kept by triggers on process_instance and customer: a later
migration that rebuilds either table (batch "move and copy") drops the triggers with the old table and
must create them again. On PostgreSQL, a database user who may not create pg_trgm gets no indexes
(search still answers, by scanning) and a warning.

Revision ID: 0021_admin_search
Revises: 0025_join_at_investigation
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0021_admin_search"
down_revision = "0025_join_at_investigation"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

SQLITE = [
    "DROP TABLE IF EXISTS case_text",
    "CREATE VIRTUAL TABLE case_text USING fts5(reference, customer_name, uscc, tokenize='trigram')",
    "CREATE TRIGGER case_text_insert AFTER INSERT ON process_instance BEGIN "
    "INSERT INTO case_text(rowid, reference, customer_name, uscc) VALUES (new.id, new.reference, "
    "json_extract(new.summary, '$.customer_name'), json_extract(new.summary, '$.uscc')); END",
    "CREATE TRIGGER case_text_update AFTER UPDATE ON process_instance WHEN old.reference IS NOT new.reference "
    "OR json_extract(old.summary, '$.customer_name') IS NOT json_extract(new.summary, '$.customer_name') "
    "OR json_extract(old.summary, '$.uscc') IS NOT json_extract(new.summary, '$.uscc') BEGIN "
    "DELETE FROM case_text WHERE rowid = old.id; "
    "INSERT INTO case_text(rowid, reference, customer_name, uscc) VALUES (new.id, new.reference, "
    "json_extract(new.summary, '$.customer_name'), json_extract(new.summary, '$.uscc')); END",
    "CREATE TRIGGER case_text_delete AFTER DELETE ON process_instance BEGIN "
    "DELETE FROM case_text WHERE rowid = old.id; END",
    "INSERT INTO case_text(rowid, reference, customer_name, uscc) SELECT id, reference, "
    "json_extract(summary, '$.customer_name'), json_extract(summary, '$.uscc') FROM process_instance",
    "DROP TABLE IF EXISTS customer_text",
    "CREATE VIRTUAL TABLE customer_text USING fts5(name, uscc, tokenize='trigram')",
    "CREATE TRIGGER customer_text_insert AFTER INSERT ON customer BEGIN "
    "INSERT INTO customer_text(rowid, name, uscc) VALUES (new.id, new.name, new.uscc); END",
    "CREATE TRIGGER customer_text_update AFTER UPDATE ON customer WHEN old.name IS NOT new.name "
    "OR old.uscc IS NOT new.uscc BEGIN DELETE FROM customer_text WHERE rowid = old.id; "
    "INSERT INTO customer_text(rowid, name, uscc) VALUES (new.id, new.name, new.uscc); END",
    "CREATE TRIGGER customer_text_delete AFTER DELETE ON customer BEGIN "
    "DELETE FROM customer_text WHERE rowid = old.id; END",
    "INSERT INTO customer_text(rowid, name, uscc) SELECT id, name, uscc FROM customer",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS case_text_insert", "DROP TRIGGER IF EXISTS case_text_update",
               "DROP TRIGGER IF EXISTS case_text_delete", "DROP TABLE IF EXISTS case_text",
               "DROP TRIGGER IF EXISTS customer_text_insert", "DROP TRIGGER IF EXISTS customer_text_update",
               "DROP TRIGGER IF EXISTS customer_text_delete", "DROP TABLE IF EXISTS customer_text"]
TRIGRAM = {
    "ix_process_instance_reference_trgm": ("process_instance", "reference"),
    "ix_process_instance_customer_name_trgm": ("process_instance", "(summary ->> 'customer_name')"),
    "ix_process_instance_uscc_trgm": ("process_instance", "(summary ->> 'uscc')"),
    "ix_customer_name_trgm": ("customer", "name"),
    "ix_customer_uscc_trgm": ("customer", "uscc"),
}


def _trigram_available(connection) -> bool:
    if connection.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    try:
        with connection.begin_nested():
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm cannot be created (%s): substring search will scan instead of using an index",
                    str(exc.orig).splitlines()[0])
        return False
    return True


def upgrade():
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql" and _trigram_available(connection):
        for name, (table, expr) in TRIGRAM.items():
            connection.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expr} gin_trgm_ops)")


def downgrade():
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DROP:
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql":
        for name in TRIGRAM:
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("must_change_password")
