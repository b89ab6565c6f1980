"""Real-time checks racing on PostgreSQL, each side in a thread of its own with its own connection, held at a
chosen point so that the interleaving is the one named, not left to chance: two jobs checking one customer, and a
check placing warnings while a step of the same customer commits its audit rows."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import EarlyWarning, ProcessInstance
from app.services.audit import audit
from app.services.monitoring import escalations, observations, realtime
from app.services.shared.unit_of_work import unit_of_work
from tests.workflows.test_warning_escalation import approved_customer_of


@pytest.fixture(autouse=True)
def _postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL (SQLite has one writer at a time)")


def days_ago(days: int) -> str:
    return (local_today() - timedelta(days=days)).isoformat()


class Side(threading.Thread):
    """``work`` run in an app context and a session of its own; its result or error kept."""

    def __init__(self, app, work, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.app, self.work, self.result, self.error = app, work, None, None

    def run(self) -> None:
        with self.app.app_context():
            try:
                self.result = self.work()
            except BaseException as exc:  # noqa: BLE001 - kept for the test to show
                self.error = exc
            finally:
                db.session.remove()


def held_at(monkeypatch, owner, name: str, sides: tuple[str, ...]):
    """``owner.name`` made to wait, in the threads named, until the test lets it go; returns (reached, go)."""
    real = getattr(owner, name)
    reached = {side: threading.Event() for side in sides}
    go = {side: threading.Event() for side in sides}

    def waiting(*args, **kwargs):
        side = threading.current_thread().name
        if side in reached:
            reached[side].set()
            assert go[side].wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, waiting)
    return reached, go


def open_codes(customer_id: int) -> set[str]:
    db.session.rollback()
    return set(
        db.session.scalars(
            select(EarlyWarning.code).where(
                EarlyWarning.customer_id == customer_id, EarlyWarning.status == "open"
            )
        )
    )


def test_two_jobs_checking_one_customer_place_both_observations_warnings_in_one_escalation(
    app, deployed, people, realtime_on, no_worker, monkeypatch
):
    customer = approved_customer_of(people, 1)
    realtime.drain()  # the statements its approval kept
    observations.record(
        people.officer, {"uscc": customer.uscc, "observed_on": days_ago(2), "utilization_pct": 97}
    )
    reached, go = held_at(monkeypatch, escalations, "hold", ("first", "second"))
    first = Side(app, realtime.drain, "first")
    first.start()
    assert reached["first"].wait(20)  # it read the high utilization only
    observations.record(
        people.officer, {"uscc": customer.uscc, "observed_on": days_ago(1), "days_past_due": 45}
    )
    second = Side(app, realtime.drain, "second")
    second.start()
    assert reached["second"].wait(
        20
    )  # queued again: taken at once, both figures read, both warnings new to it
    go["first"].set()
    first.join(30)
    go["second"].set()
    second.join(30)

    assert first.error is None and second.error is None, (first.error, second.error)
    assert (first.result, second.result) == (1, 1)  # the second placed only what the first had not
    assert open_codes(customer.id) == {"high_utilization", "past_due_30"}
    escalations_of = db.session.scalars(
        select(EarlyWarning.instance_id).where(EarlyWarning.customer_id == customer.id)
    ).all()
    assert len(set(escalations_of)) == 1  # the second joined the first's escalation
    assert db.session.get(ProcessInstance, escalations_of[0]).process_id == escalations.PROCESS
    assert realtime.waiting() == 0


def test_a_check_placing_warnings_and_a_step_auditing_the_same_customer_both_commit(
    app, deployed, people, realtime_on, no_worker, monkeypatch
):
    customer = approved_customer_of(people, 1)
    realtime.drain()
    observations.record(
        people.officer, {"uscc": customer.uscc, "observed_on": days_ago(1), "days_past_due": 45}
    )
    reached, go = held_at(monkeypatch, escalations, "place", ("check",))  # after the customer's lock
    check = Side(app, realtime.drain, "check")
    check.start()
    assert reached["check"].wait(20)

    def step_of_the_customer():  # its audit row refers to the customer, inserted under the chain's lock
        with unit_of_work():
            audit.record("task.completed", people.officer, customer_id=customer.id)

    step = Side(app, step_of_the_customer, "step")
    step.start()
    time.sleep(0.5)  # the step holds the chain's lock now
    go["check"].set()
    check.join(30)
    step.join(30)
    assert check.error is None and step.error is None, (check.error, step.error)
    assert open_codes(customer.id) == {"past_due_30"}
