"""A time limit that may only get shorter: the shorter of two ISO 8601 durations, as a timer counts them."""

from __future__ import annotations

import pytest
import time_machine

from app.engine.durations import shorter_duration
from app.engine.sandbox import evaluate
from app.engine.scripting import SCRIPT_FUNCTIONS


@pytest.mark.parametrize(
    ("first", "second", "shorter"),
    [
        ("P3D", "PT345600S", "P3D"),  # three days against four days left
        ("P3D", "PT43200S", "PT43200S"),  # half a day left: the time left stands
        ("P1D", "PT24H", "P1D"),  # a tie: the first
        ("P5D", None, "P5D"),  # no time left to compare with: the new limit
        (None, "PT0S", "PT0S"),
        (None, None, None),
        ("P1M", "P30D", "P30D"),  # a month from 15 January is 31 days
    ],
)
def test_the_shorter_of_two_durations(first, second, shorter):
    with time_machine.travel("2026-01-15 02:00:00+00:00", tick=False):
        assert shorter_duration(first, second) == shorter


def test_a_malformed_duration_is_named():
    with pytest.raises(ValueError, match="'three days'"):
        shorter_duration("three days", "P1D")


def test_diagrams_may_call_it():
    assert (
        evaluate(
            "shorter_duration(investigate_within, time_left)",
            {"investigate_within": "P1D", "time_left": "PT7200S"},
            SCRIPT_FUNCTIONS,
        )
        == "PT7200S"
    )
