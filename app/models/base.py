"""Column types and helpers shared by every model."""

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, case, func, type_coerce
from sqlalchemy.dialects.postgresql import JSONB

from app.extensions import db

if TYPE_CHECKING:
    import flask_sqlalchemy.model
    from sqlalchemy import Table
    from sqlalchemy.orm import DeclarativeBase

    class Model(flask_sqlalchemy.model.Model, DeclarativeBase):
        """``db.Model`` as mypy can see it: an attribute made at run time is no base class to it, while
        this is what that class is (a declarative base with Flask-SQLAlchemy's ``query``), so the models'
        ``Mapped[]`` columns and keyword constructors are checked."""

        __table__: ClassVar[Table]  # every model names its table (DeclarativeBase allows any selectable)

else:
    Model = db.Model

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
