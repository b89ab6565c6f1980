"""A deadline shown in Beijing time: one falling on midnight is the end of the day before (a task due on the 14th
may be done all that day), any other as it is."""

from __future__ import annotations

from datetime import datetime

from app.localtime import local_deadline, to_utc


def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_before():
    assert local_deadline(to_utc(datetime(2026, 12, 15, 0, 0))) == "2026-12-14 24:00"
    assert local_deadline(to_utc(datetime(2027, 1, 1, 0, 0))) == "2026-12-31 24:00"


def test_any_other_deadline_reads_as_it_is_and_none_reads_empty():
    assert local_deadline(to_utc(datetime(2026, 12, 15, 0, 1))) == "2026-12-15 00:01"
    assert local_deadline(to_utc(datetime(2026, 12, 14, 17, 30))) == "2026-12-14 17:30"
    assert local_deadline(None) == ""
