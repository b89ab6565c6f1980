"""Every event the services record is named in the audit log's vocabulary (``vocabulary_events``): an event
missing from it showed as its raw code in a case's or customer's history and in the auditor's filter (the
scoring models' nine events, and six of the contacts' and imports' before them)."""

from __future__ import annotations

import re
from pathlib import Path

from app.services.scoring.governance import ACTIONS
from app.web.vocabulary_events import EVENT_FAMILIES, EVENT_TYPES

APP = Path(__file__).resolve().parents[2] / "app"
LITERAL = re.compile(r'audit\.record\(\s*(f?)"([^"]+)"')


def recorded() -> dict[str, str]:
    found = {}
    for path in APP.rglob("*.py"):
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            if match.group(1):  # an f-string: its names are checked where they are listed
                continue
            found[match.group(2)] = str(path.relative_to(APP))
    return found


def test_every_recorded_event_is_named():
    events = recorded()
    assert len(events) > 80  # the scan finds the calls, split over lines or not
    assert {event: where for event, where in events.items() if event not in EVENT_TYPES} == {}


def test_the_governance_steps_are_named():
    assert {f"scoring_model.{action}" for action in ACTIONS} <= set(EVENT_TYPES)


def test_every_event_has_its_family():
    assert {f"event_family_{event.split('.')[0]}" for event in EVENT_TYPES} <= set(EVENT_FAMILIES)
