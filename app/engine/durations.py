"""ISO 8601 durations as diagrams write time limits ("P3D", "PT19H"), compared the way a timer counts
them: from now (a month is as long as the months ahead are)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def _length(duration: str, start: datetime) -> timedelta:
    try:
        parsed = TimerEventDefinition.parse_iso_duration(duration)
    except Exception as exc:  # SpiffWorkflow raises a bare Exception for a malformed duration
        raise ValueError(f"not an ISO 8601 duration: {duration!r}") from exc
    return TimerEventDefinition.get_timedelta_from_start(parsed, start)


def shorter_duration(first: str | None, second: str | None) -> str | None:
    """The shorter of two durations (the first on a tie); one that is None (no limit) gives way to the other.

    A time limit that may only get shorter reads ``shorter_duration(the_new_one, the_time_left)``."""
    given = [duration for duration in (first, second) if duration is not None]
    if not given:
        return None
    start = datetime.now(UTC)
    return min(given, key=lambda duration: _length(duration, start))
