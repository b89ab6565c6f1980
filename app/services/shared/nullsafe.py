"""Inequalities that hold for NULL, for every query in ``app/``.

In SQL ``x != v`` and ``x NOT IN (...)`` are unknown, so false in a WHERE, when ``x`` is NULL: the row
is silently dropped. A case the system started has no ``started_by_id``, a task may stand in no lane;
"not started by me" and "not an approval" must still be true of them. A query that excludes by a nullable
column says so through these two functions (``tests/unit/test_null_safe_queries.py`` refuses a bare
``!=``, ``NOT IN`` or ``~ .in_()`` on one).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_


def differs(column: Any, value: Any):
    """``column IS DISTINCT FROM value``: true when the column is NULL and the value is not (and the
    other way round), false when both are NULL."""
    return column.is_distinct_from(value)


def outside(column: Any, values: Iterable[Any]):
    """The column is NULL or none of ``values``."""
    return or_(column.is_(None), column.not_in(list(values)))
