"""Column types and helpers shared by every model."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, case, func, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def readable_json(column: Any, dialect: str) -> Any:
    """``column`` for ``column["key"]`` in SQL, NULL where SQLite holds JSON text its functions refuse (a
    NaN stored before the guards), so one such row never fails a whole search or inbox; as is elsewhere."""
    if dialect != "sqlite":
        return column
    return type_coerce(case((func.json_valid(column) == 1, column)), JSON())


def utcnow() -> datetime:
    """Now in UTC as a naive datetime: every stored time is naive UTC, the same on SQLite and
    PostgreSQL; screens convert to the user's time zone."""
    return datetime.now(UTC).replace(tzinfo=None)
