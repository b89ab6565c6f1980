"""Times are stored as naive UTC and shown to people in Beijing time (UTC+8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    """Today's date in Beijing."""
    return datetime.now(SHANGHAI).date()


def local_now() -> datetime:
    """Beijing's wall-clock time now, naive (what a person at the bank reads on the clock)."""
    return datetime.now(SHANGHAI).replace(tzinfo=None)


def local_date(value: datetime) -> date:
    """The Beijing date of a stored (naive UTC) time: a decision at 01:00 Beijing is that day's, not the day before."""
    return value.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored (naive UTC) time as Beijing time text; empty for None."""
    if value is None:
        return ""
    return value.replace(tzinfo=UTC).astimezone(SHANGHAI).strftime(fmt)


def local_deadline(value: datetime | None) -> str:
    """A deadline as Beijing time text; one falling on midnight is the end of the day before, and reads so
    ("2026-12-14 24:00", not "2026-12-15 00:00": a task due on the 14th may be done all that day)."""
    if value is None:
        return ""
    local = value.replace(tzinfo=UTC).astimezone(SHANGHAI)
    if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0):
        return f"{(local - timedelta(days=1)):%Y-%m-%d} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def to_utc(local: datetime) -> datetime:
    """A Beijing wall-clock time (naive) as stored time (naive UTC)."""
    return local.replace(tzinfo=SHANGHAI).astimezone(UTC).replace(tzinfo=None)
