"""A condition on a list of ids of any length, bound as ONE parameter.

``column.in_(ids)`` binds one parameter per id: PostgreSQL's protocol refuses a statement past 65,535 of them and
SQLite past its own limit, so an IN over a whole bank's customers (a migration's drill-down at a million) fails.
``among`` sends the list as one value instead: a PostgreSQL array compared with ``= ANY``, or on SQLite a JSON array
read back row by row with ``json_each``. Use it wherever the list's length depends on the book, not on a page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, any_, bindparam, column, false, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from app.extensions import db


def among(target: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """``target`` is one of ``ids`` (integers), whatever their number."""
    found = sorted({int(i) for i in ids})
    if not found:
        return false()
    if db.engine.dialect.name == "postgresql":
        return target == any_(bindparam("among_ids", found, type_=ARRAY(BigInteger), unique=True))
    rows = func.json_each(bindparam("among_ids", json.dumps(found), unique=True))
    return target.in_(select(column("value")).select_from(rows))
