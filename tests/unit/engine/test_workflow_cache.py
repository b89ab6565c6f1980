"""The in-memory workflow cache: a warm step stores exactly what a cold one does, and a
state is never served from a workflow that a step already moved on."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import replace

import pytest

from app import engine
from app.engine.runtime import workflow_cache
from tests.factories import COMPLIANT, NEW_CUSTOMER, intake, statements
from tests.unit.engine.test_runtime import ROOT, _bundle, _only_ready


@pytest.fixture(scope="module")
def credit() -> engine.Bundle:
    return _bundle(ROOT / "workflows" / "credit_application.bpmn")


@pytest.fixture(autouse=True)
def _cache_off_after():
    yield
    workflow_cache.configure(0)


def _without_clock(state: str) -> object:
    """The state with the engine's wall-clock stamps removed (they differ between any two runs): state
    changes, and the due times of timers (now + the time limit)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("last_state_change", "event_value")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(state))


def _run_case(bundle: engine.Bundle, monkeypatch) -> list[str]:
    """Every state of one case, with task ids drawn from a fixed seed so two runs can be compared."""
    rng = random.Random(7)
    monkeypatch.setattr("SpiffWorkflow.task.uuid4", lambda: uuid.UUID(int=rng.getrandbits(128), version=4))
    result = engine.start(bundle)
    states = [result.state]
    for data in (
        intake(),
        {"statements": statements()},
        None,
        {"decision": "approve", "comment": "同意"},
        COMPLIANT,
    ):
        if data is None:
            data = {
                "proposed_limit": result.data["proposed_limit"],
                "proposed_term_months": 12,
                "proposed_margin_pct": 1.2,
                "officer_opinion": "ok",
            }
        result = engine.complete_task(bundle, result.state, _only_ready(result).uuid, data, NEW_CUSTOMER)
        states.append(result.state)
    assert result.completed
    return states


def test_warm_steps_store_exactly_what_cold_steps_store(credit, monkeypatch):
    workflow_cache.configure(0)
    cold = _run_case(credit, monkeypatch)
    workflow_cache.configure(16)
    warm = _run_case(credit, monkeypatch)
    assert (
        workflow_cache.held() == 0
    )  # every kept workflow was taken by the next step; a finished one is not kept
    assert [_without_clock(s) for s in warm] == [_without_clock(s) for s in cold]


def test_the_same_state_stepped_twice_gives_the_same_answer(credit):
    """A step whose transaction rolled back is retried from the state the database still holds:
    the workflow the first attempt moved on must not be served for it."""
    workflow_cache.configure(16)
    started = engine.start(credit)
    task = _only_ready(started).uuid
    first = engine.complete_task(credit, started.state, task, intake())
    again = engine.complete_task(credit, started.state, task, intake())
    assert _only_ready(first).spec_id == _only_ready(again).spec_id == "financial_statements"
    assert again.data["segment"] == first.data["segment"]


def test_reading_a_task_keeps_the_workflow_for_the_step(credit):
    workflow_cache.configure(16)
    started = engine.start(credit)
    assert workflow_cache.held() == 1
    engine.task_data(credit, started.state, _only_ready(started).uuid)
    assert workflow_cache.held() == 1
    engine.complete_task(credit, started.state, _only_ready(started).uuid, intake())
    assert workflow_cache.held() == 1  # the new state's workflow replaced the old one


def test_a_rebuilt_bundle_is_a_miss(credit):
    workflow_cache.configure(16)
    started = engine.start(credit)
    rebuilt = replace(credit)  # same content hash, but not the objects the cached workflow runs on
    assert workflow_cache.take(rebuilt, started.state) is None
    result = engine.complete_task(rebuilt, started.state, _only_ready(started).uuid, intake())
    assert _only_ready(result).spec_id == "financial_statements"


def test_size_bounds_what_is_kept(credit):
    workflow_cache.configure(2)
    for _ in range(4):
        engine.start(credit)
    assert workflow_cache.held() == 2
    workflow_cache.configure(1)
    assert workflow_cache.held() == 1
    workflow_cache.configure(0)
    engine.start(credit)
    assert workflow_cache.held() == 0
