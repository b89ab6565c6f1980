"""Calendar dates a credit file can speak of: from 1900 to 2999.

``9999-12-31`` is a valid ISO date, but the day after it (an end of a range read as "before the next
day") or a local time zone shift past it does not exist: Python raises ``OverflowError`` (a 500). A date
outside these years is refused naming its field, wherever it is read.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


def accepted(value: date) -> bool:
    """Within EARLIEST..LATEST (needs no request: for the forms package)."""
    return EARLIEST <= value <= LATEST


def date_problem(value: date) -> str | None:
    """Why ``value`` is refused (outside EARLIEST..LATEST), or None."""
    if not accepted(value):
        return _("a date from %(first)s to %(last)s", first=EARLIEST.isoformat(), last=LATEST.isoformat())
    return None


def iso_date(text: str) -> date | None:
    """The date ``text`` names (``2026-11-30``), or None when it is none or outside the years we accept."""
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return None if date_problem(value) else value
