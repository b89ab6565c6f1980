"""One portfolio check at a time, held by the database: two risk managers asking at once, or the beat while a
check runs, get the check going on; a check that can no longer finish (its job lost on the way, its worker
gone) gives way to a new one, saying why. Each customer of a check, or of the review scheduler, on its own: one
that fails is recorded and the others go on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.jobs.monitoring import check_portfolio
from app.models import AuditEvent, PortfolioCheck
from app.models.base import utcnow
from app.services.monitoring import escalations, portfolio, portfolio_checks, reviews
from tests.services.test_policy_impact import seed_portfolio

pytestmark = pytest.mark.usefixtures("no_worker")  # these tests run the check's job themselves, or lose it

NOW = datetime.now(UTC)


def checks() -> list[PortfolioCheck]:
    return list(db.session.scalars(select(PortfolioCheck).order_by(PortfolioCheck.id)))


@pytest.fixture
def no_scan(monkeypatch):
    """A scan that must not run (the beat, or a job whose check gave way)."""

    def refused(*_args, **_kwargs):
        raise AssertionError("a second check ran")

    monkeypatch.setattr(portfolio, "scan", refused)


def test_the_database_holds_one_check_going_on_at_a_time(deployed, people):
    db.session.add(PortfolioCheck(status="queued", active=True, started=[], joined=[], requested_at=utcnow()))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            PortfolioCheck(status="running", active=True, started=[], joined=[], requested_at=utcnow())
        )
    db.session.add(PortfolioCheck(status="done", active=None, started=[], joined=[], requested_at=utcnow()))
    db.session.flush()  # done or failed: as many as there were


def test_two_risk_managers_asking_at_once_share_one_check(deployed, people, monkeypatch):
    first, new = portfolio_checks.request(people.risk)
    assert new and first.active is True
    real, looked = portfolio_checks._going, []

    def before_the_first_committed():  # the second looks before the first is visible: it sees none going on
        looked.append(True)
        return None if len(looked) == 1 else real()

    monkeypatch.setattr(portfolio_checks, "_going", before_the_first_committed)
    second, new = portfolio_checks.request(people.risk)
    assert (second.id, new) == (first.id, False)  # refused by the database: it follows the first
    assert [c.id for c in checks()] == [first.id]


def test_the_beat_leaves_a_check_going_on_to_its_worker(deployed, people, no_scan):
    asked, _new = portfolio_checks.request(people.risk)
    assert portfolio_checks.run(None).id == asked.id  # queued: its job is on its way
    asked.status = "running"
    db.session.commit()
    assert portfolio_checks.run(None).id == asked.id  # running
    assert [(c.id, c.status) for c in checks()] == [(asked.id, "running")]


def test_the_beat_refused_by_a_check_that_ended_before_it_looked_again_runs_none(
    deployed, people, no_scan, monkeypatch
):
    """Found by mypy: the database refused the beat's new check for one going on, which finished before the beat
    looked for it again; ``run`` gave None, and the job failed on ``None.raised`` instead of raising none."""
    going, _new = portfolio_checks.request(people.risk)
    monkeypatch.setattr(portfolio_checks, "_going", lambda: None)  # not seen before the insert, gone after it
    assert portfolio_checks.run(None) is None
    assert check_portfolio(None) == 0
    assert portfolio_checks.request(people.risk) == (None, False)  # the page just shows the watchlist
    assert [c.id for c in checks()] == [going.id]


def test_a_queued_check_whose_job_was_lost_gives_way_saying_why(deployed, people, no_scan):
    with time_machine.travel(NOW, tick=False) as clock:
        lost, _new = portfolio_checks.request(people.risk)
        clock.shift(timedelta(minutes=9))
        assert portfolio_checks.request(people.risk) == (lost, False)  # still on its way
        clock.shift(timedelta(minutes=2))
        taken_over, new = portfolio_checks.request(people.risk)
    assert new and taken_over.id != lost.id and taken_over.status == "queued"
    db.session.refresh(lost)
    assert (lost.status, lost.active) == ("failed", None)
    assert lost.failure == {
        "msgid": "No worker took it within %(minutes)s minutes: its job was lost. "
        "A new check took its place.",
        "params": {"minutes": 10},
    }
    assert portfolio_checks.run(lost.id).status == "failed"  # its message, if it ever comes, runs nothing


def test_a_check_running_past_its_time_limit_gives_way_and_the_beat_runs_a_new_one(deployed, people):
    with time_machine.travel(NOW, tick=False) as clock:
        stalled, _new = portfolio_checks.request(people.risk)
        stalled.status, stalled.started_at = "running", utcnow()
        db.session.commit()
        clock.shift(timedelta(hours=1))
        assert portfolio_checks.run(None).id == stalled.id  # within the job's time limit: left to run
        clock.shift(timedelta(minutes=6))
        ran = portfolio_checks.run(None)
    assert ran.id != stalled.id and ran.status == "done"
    db.session.refresh(stalled)
    assert stalled.status == "failed" and "past its time limit" in stalled.failure["msgid"]
    assert (
        db.session.scalar(
            select(func.count()).select_from(PortfolioCheck).where(PortfolioCheck.active.is_(True))
        )
        == 0
    )


def test_a_redelivered_job_resumes_its_running_check(deployed, people):
    """A worker lost mid-check: the broker delivers its job again, and the same check goes on."""
    check, _new = portfolio_checks.request(people.risk)
    check.status, check.started_at = "running", utcnow()
    db.session.commit()
    assert portfolio_checks.run(check.id).status == "done"
    assert (check.active, len(checks())) == (None, 1)


def test_one_customer_that_fails_in_the_check_is_recorded_and_the_others_are_warned(
    deployed, people, monkeypatch
):
    """Each customer on its own: whatever one's escalation raises is recorded (``engine.error``) and the
    check goes on to raise the others' warnings."""
    seed_portfolio(40)
    real, failing = escalations.place, []

    def place(facts, *args, **kwargs):
        if not failing:  # the first customer warned: its data makes the escalation fail
            failing.append(facts["customer_id"])
            raise TypeError("unsupported operand type(s) for -: 'NoneType' and 'int'")
        return real(facts, *args, **kwargs)

    monkeypatch.setattr(escalations, "place", place)
    result = portfolio.scan()
    assert failing and result.started  # the others were warned
    [error] = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "engine.error"))
    assert error.customer_id == failing[0] and error.payload["reason"].startswith("TypeError: unsupported")


def test_one_customer_whose_review_cannot_start_is_recorded_and_the_others_start(
    deployed, people, monkeypatch
):
    seed_portfolio(12)
    real, failing = reviews._payload, []

    def payload(customer):
        if not failing:  # the first customer due: its stored figures cannot be read
            failing.append(customer.id)
            raise ValueError("invalid literal for int() with base 10: 'n/a'")
        return real(customer)

    monkeypatch.setattr(reviews, "_payload", payload)
    with time_machine.travel(NOW + timedelta(days=3 * 366), tick=False):
        started = reviews.start_due()
    assert failing and started
    [error] = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "engine.error"))
    assert error.customer_id == failing[0] and error.payload == {
        "process_id": "periodic_review",
        "element": None,
        "reason": "ValueError: invalid literal for int() with base 10: 'n/a'",
    }
