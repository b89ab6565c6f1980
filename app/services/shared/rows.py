"""Single-statement row writes inside the caller's transaction, without the ORM's flush.

A step writes a handful of rows it never reads back. A plain Core statement built once per
table costs a fraction of an ORM flush or of a statement built (and cache-keyed) per call:
SQLAlchemy reuses the statement's cache key and compiled form every time.
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Table, bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE run by ``db.session.execute`` matched (a compare-and-set reads it): the
    session types every result as rows, while such a statement's is a cursor result, which counts them."""
    return cast(CursorResult[Any], result).rowcount


@cache
def _update_by_id(table: Table):
    return update(table).where(table.c.id == bindparam("row_id"))


@cache
def _insert_into(table: Table, returning_id: bool):
    statement = insert(table)
    return statement.returning(table.c.id) if returning_id else statement


def write(row, **values: Any) -> None:
    """Update one loaded row and mark the new values as stored on the object. Not a case's row: that is
    written only with its version check (``app.services.cases.instance_row``)."""
    if type(row).__table__.name == "process_instance":
        raise TypeError("process_instance is written by app.services.cases.instance_row.write")
    db.session.connection().execute(_update_by_id(type(row).__table__), {**values, "row_id": row.id})
    for key, value in values.items():
        set_committed_value(row, key, value)


def insert_row(model, values: dict[str, Any]) -> None:
    """Insert one row of ``model``'s table (column defaults apply)."""
    db.session.connection().execute(_insert_into(model.__table__, False), values)


def insert_rows(model, rows: list[dict[str, Any]]) -> None:
    """Insert several rows of ``model``'s table in one executemany."""
    if rows:
        db.session.connection().execute(_insert_into(model.__table__, False), rows)


def insert_returning_id(model, values: dict[str, Any]) -> int:
    """Insert one row and return its id."""
    return db.session.connection().execute(_insert_into(model.__table__, True), values).scalar_one()
