"""The text indexes behind substring search: case references, customer names and credit codes.

A search box matches anywhere in a value (``%term%``), which a B-tree index cannot serve, so a
search over a million cases would read them all. Each database gets an index that can:

* **PostgreSQL**: trigram GIN indexes (the ``pg_trgm`` extension) on the searched values, which
  serve ``ILIKE '%term%'`` as written. Where the extension cannot be created (no privilege), the
  indexes are left out and search still answers, by scanning.
* **SQLite**: FTS5 tables with the trigram tokenizer (``case_text``, ``customer_text``; the row id
  is the case's or the customer's id), kept by triggers on the tables they index, so every write
  path — services, bulk inserts, migrations — keeps them exact. A quoted FTS5 phrase is a
  substring match.

The objects are created with their tables (``create_all``, tests, benches) and by migration 0021;
Alembic's comparison is told to leave them alone (``alembic_include_name``), since they are not
SQLAlchemy tables or indexes.
"""

from __future__ import annotations

import logging

from sqlalchemy import Column, Integer, MetaData, Table, Text, event, text
from sqlalchemy.exc import DBAPIError

from app.models.cases.process import ProcessInstance
from app.models.customers import Customer

log = logging.getLogger(__name__)

# Outside the app's metadata: create_all must not build them as plain tables.
_virtual = MetaData()
case_text = Table(
    "case_text",
    _virtual,
    Column("rowid", Integer, primary_key=True),
    Column("case_text", Text),
    Column("reference", Text),
    Column("customer_name", Text),
    Column("uscc", Text),
)
customer_text = Table(
    "customer_text",
    _virtual,
    Column("rowid", Integer, primary_key=True),
    Column("customer_text", Text),
    Column("name", Text),
    Column("uscc", Text),
)

TRIGRAM_INDEXES = {
    "process_instance": {
        "ix_process_instance_reference_trgm": "reference",
        "ix_process_instance_customer_name_trgm": "(summary ->> 'customer_name')",
        "ix_process_instance_uscc_trgm": "(summary ->> 'uscc')",
    },
    "customer": {
        "ix_customer_name_trgm": "name",
        "ix_customer_uscc_trgm": "uscc",
    },
}

# A summary SQLite's JSON functions refuse (a NaN stored before the input guards) indexes as NULL: json_extract
# would fail the trigger, and so the write, and the migration that fills the index.
_READABLE = "json_extract(CASE WHEN json_valid({{row}}.summary) THEN {{row}}.summary END, '$.{key}')"

# FTS5 tables: (name, source table, {column: SQLite expression over the source row}).
FTS_TABLES = {
    "process_instance": (
        "case_text",
        {
            "reference": "{row}.reference",
            "customer_name": _READABLE.format(key="customer_name"),
            "uscc": _READABLE.format(key="uscc"),
        },
    ),
    "customer": ("customer_text", {"name": "{row}.name", "uscc": "{row}.uscc"}),
}


def sqlite_statements(table: str) -> list[str]:
    """Create the FTS5 table of ``table``, its triggers, and fill it from the rows already there."""
    name, columns = FTS_TABLES[table]
    names = ", ".join(columns)

    def values(row: str) -> str:
        return ", ".join(expr.format(row=row) for expr in columns.values())

    changed = " OR ".join(
        f"{expr.format(row='old')} IS NOT {expr.format(row='new')}" for expr in columns.values()
    )
    return [
        f"DROP TABLE IF EXISTS {name}",
        f"CREATE VIRTUAL TABLE {name} USING fts5({names}, tokenize='trigram')",
        f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {name}(rowid, {names}) VALUES (new.id, {values('new')}); END",
        # a step rewrites the summary every time; the index row only when a searched value changed
        f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} WHEN {changed} BEGIN "
        f"DELETE FROM {name} WHERE rowid = old.id; "
        f"INSERT INTO {name}(rowid, {names}) VALUES (new.id, {values('new')}); END",
        f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} BEGIN DELETE FROM {name} WHERE rowid = old.id; END",
        f"INSERT INTO {name}(rowid, {names}) SELECT id, {values(table)} FROM {table}",
    ]


def postgresql_trigram(connection) -> bool:
    """Create ``pg_trgm`` if it is not there; False when this database user may not (search then scans)."""
    if connection.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError as exc:  # a refusal leaves search working, only slower
        log.warning(
            "pg_trgm cannot be created (%s): substring search will scan instead of using an index",
            str(exc.orig).splitlines()[0],
        )
        return False
    return True


def postgresql_statements(table: str) -> list[str]:
    return [
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expr} gin_trgm_ops)"
        for name, expr in TRIGRAM_INDEXES[table].items()
    ]


def install(connection, table: str) -> None:
    """Build the text index of ``table`` (``process_instance`` or ``customer``) on this connection."""
    if connection.dialect.name == "sqlite":
        for statement in sqlite_statements(table):
            connection.exec_driver_sql(statement)
    elif connection.dialect.name == "postgresql" and postgresql_trigram(connection):
        for statement in postgresql_statements(table):
            connection.exec_driver_sql(statement)


def _drop_fts(table: str):
    def drop(_target, connection, **_kw) -> None:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLES[table][0]}")

    return drop


for _model in (ProcessInstance, Customer):
    _name = _model.__tablename__
    event.listen(
        _model.__table__, "after_create", lambda _t, connection, _n=_name, **_kw: install(connection, _n)
    )
    event.listen(_model.__table__, "before_drop", _drop_fts(_name))


def alembic_include_name(name: str | None, type_: str, _parents: dict) -> bool:
    """Leave the text indexes out of Alembic's comparison of the models with the database."""
    if type_ == "table":
        return not any(name == fts or (name or "").startswith(f"{fts}_") for fts, _ in FTS_TABLES.values())
    if type_ == "index":
        return not (name or "").endswith("_trgm")
    return True
