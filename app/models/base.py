"""Column types and helpers shared by every model."""

from datetime import UTC, datetime

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

# JSONB on PostgreSQL (indexable, compact), plain JSON text elsewhere.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """Now in UTC as a naive datetime: every stored time is naive UTC, the same on SQLite and
    PostgreSQL; screens convert to the user's time zone."""
    return datetime.now(UTC).replace(tzinfo=None)
