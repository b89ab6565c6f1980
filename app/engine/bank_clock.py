"""The sandbox's ``date`` and ``datetime``: the bank's calendar and wall clock (Beijing), never the server's UTC.

``date.today()``, ``datetime.now()``/``today()`` and ``fromtimestamp()`` read Beijing's, so a script run at
01:00 Beijing time dates its work that day; ``datetime.utcnow()`` stays UTC. What these classes make, and
what ``isinstance`` accepts, are plain standard dates: task data holds only those. Their private names start
with ``_``, which the sandbox refuses to scripts.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from app.localtime import SHANGHAI, local_now, local_today


class _MakesPlain(type):
    """The sandbox's ``date`` and ``datetime`` stand for the standard classes: what they make and what
    ``isinstance`` accepts are plain standard values (task data serializes those, and only those)."""

    _plain: type

    def __instancecheck__(cls, value: Any) -> bool:
        return isinstance(value, cls._plain)

    def __subclasscheck__(cls, other: type) -> bool:
        return issubclass(other, cls._plain)


class BankDate(_dt.date, metaclass=_MakesPlain):
    """``date`` in scripts and expressions: today is Beijing's date, not the server's."""

    _plain = _dt.date

    def __new__(cls, *args: Any, **kwargs: Any) -> _dt.date:  # type: ignore[misc]
        return _dt.date(*args, **kwargs)

    @classmethod
    def today(cls) -> _dt.date:  # type: ignore[override]
        return local_today()

    @classmethod
    def fromtimestamp(cls, timestamp: float) -> _dt.date:  # type: ignore[override]
        return _dt.datetime.fromtimestamp(timestamp, SHANGHAI).date()


class BankDateTime(_dt.datetime, metaclass=_MakesPlain):
    """``datetime`` in scripts and expressions: now is Beijing's wall clock (naive) unless a zone is given."""

    _plain = _dt.datetime

    def __new__(cls, *args: Any, **kwargs: Any) -> _dt.datetime:  # type: ignore[misc]
        return _dt.datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        return local_now() if tz is None else _dt.datetime.now(tz)

    @classmethod
    def today(cls) -> _dt.datetime:  # type: ignore[override]
        return local_now()

    @classmethod
    def fromtimestamp(cls, timestamp: float, tz: _dt.tzinfo | None = None) -> _dt.datetime:  # type: ignore[override]
        if tz is not None:
            return _dt.datetime.fromtimestamp(timestamp, tz)
        return _dt.datetime.fromtimestamp(timestamp, SHANGHAI).replace(tzinfo=None)
