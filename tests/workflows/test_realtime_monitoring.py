"""Real-time monitoring (实时监控): what stores an observation (the API, the entry screen, an import) or a statement
(an approved case, a review) queues the warning rules for its customers, one job per batch, with the same rules
and deduplication as the daily check, which then finds nothing new."""

from __future__ import annotations

import random
from datetime import UTC, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from app.errors import InvalidInput
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, CustomerCheckQueue, EarlyWarning, ProcessInstance, QueuedJob
from app.models.base import utcnow
from app.services.admin import users
from app.services.admin.demo import statement
from app.services.cases import tasks
from app.services.customers.master import customers as customer_files
from app.services.monitoring import customer_checks, imports, observations, portfolio, realtime
from app.services.shared import dispatch
from app.services.shared.unit_of_work import unit_of_work
from tests.factories import statements
from tests.workflows.test_periodic_review import review_due_today
from tests.workflows.test_warning_escalation import approved_customer_of, ready


def days_ago(days: int) -> str:
    """A Beijing date of the day the test runs on (not of the day it was collected on)."""
    return (local_today() - timedelta(days=days)).isoformat()


def checks_of(customer_id: int) -> list[AuditEvent]:
    """The scoped checks that read ``customer_id``, oldest first."""
    rows = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.event_type == "monitoring.customers_checked")
        .order_by(AuditEvent.id)
    )
    return [row for row in rows if customer_id in row.payload["customer_ids"]]


def open_codes(customer_id: int) -> set[str]:
    return set(
        db.session.scalars(
            select(EarlyWarning.code).where(
                EarlyWarning.customer_id == customer_id, EarlyWarning.status == "open"
            )
        )
    )


def queued() -> list[QueuedJob]:
    return list(
        db.session.scalars(
            select(QueuedJob).where(QueuedJob.task == dispatch.CHECK_CUSTOMERS).order_by(QueuedJob.id)
        )
    )


def test_an_observation_posted_to_the_api_opens_its_warning_at_once_and_the_daily_check_finds_nothing_new(
    deployed, people, realtime_on, client
):
    customer = approved_customer_of(people, 1)
    headers = {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token('officer')}"}
    response = client.post(
        "/api/v1/monitoring/observations",
        json={"uscc": customer.uscc, "observed_on": days_ago(1), "days_past_due": 45},
        headers=headers,
    )
    assert response.status_code == 201, response.get_json()

    warning = db.session.scalar(
        select(EarlyWarning).where(
            EarlyWarning.customer_id == customer.id, EarlyWarning.code == "past_due_30"
        )
    )
    assert warning is not None and warning.status == "open" and str(warning.observed_on) == days_ago(1)
    escalation = db.session.get(ProcessInstance, warning.instance_id)
    assert escalation.process_id == "warning_escalation" and escalation.status == "running"
    check = checks_of(customer.id)[-1]
    assert check.payload["customer_ids"] == [customer.id] and check.payload["raised"] >= 1
    assert check.actor_id == people.officer.id  # who stored the observation

    assert portfolio.scan(people.risk).raised == []  # the daily check: nothing new
    assert open_codes(customer.id) >= {"past_due_30"}
    assert (
        db.session.scalar(
            select(func.count()).select_from(EarlyWarning).where(EarlyWarning.code == "past_due_30")
        )
        == 1
    )


def waiting() -> dict[int, int | None]:
    """The customers waiting for their check, with who queued them."""
    return dict(db.session.execute(select(CustomerCheckQueue.customer_id, CustomerCheckQueue.actor_id)).all())


def test_a_batch_waits_as_one_job_a_refused_batch_not_at_all_nor_anything_with_real_time_off(
    deployed, people, realtime_on, no_worker, app
):
    first, second = approved_customer_of(people, 1), approved_customer_of(people, 2)
    before = len(queued())
    observations.record_many(
        people.officer,
        [
            {"uscc": first.uscc, "observed_on": days_ago(1), "utilization_pct": 97},
            {"uscc": second.uscc, "observed_on": days_ago(1), "utilization_pct": 40},
            {"uscc": first.uscc, "observed_on": days_ago(2), "tax_arrears": 0},
        ],
    )
    jobs = queued()[before:]
    assert len(jobs) == 1 and jobs[0].sent_at is None  # left in the outbox here: nothing ran yet
    assert waiting() == {first.id: people.officer.id, second.id: people.officer.id}
    assert open_codes(first.id) == set()

    with pytest.raises(InvalidInput):  # refused as a whole: nothing waits for it
        observations.record_many(
            people.risk,
            [
                {"uscc": second.uscc, "observed_on": days_ago(0), "utilization_pct": 99},
                {"uscc": "91000000000000000X", "observed_on": days_ago(0)},
            ],
        )
    assert len(queued()) == before + 1 and waiting()[second.id] == people.officer.id

    assert realtime.drain() == 1  # the job: high utilization of the first
    assert open_codes(first.id) == {"high_utilization"} and waiting() == {}
    assert realtime.drain() == 0  # a later call's job finds its customers checked

    app.config["MONITORING_REALTIME"] = False  # restored by the fixture
    observations.record(
        people.officer, {"uscc": second.uscc, "observed_on": days_ago(0), "utilization_pct": 99}
    )
    assert len(queued()) == before + 1 and waiting() == {}  # the daily check reads it
    assert len(portfolio.scan(people.risk).raised) == 1


def test_a_customer_queued_again_while_its_check_runs_is_checked_again_and_a_lost_claim_is_taken_again(
    deployed, people, realtime_on, no_worker, monkeypatch
):
    first, second = approved_customer_of(people, 1), approved_customer_of(people, 2)
    realtime.drain()  # the statements their approvals kept
    observations.record(
        people.officer, {"uscc": first.uscc, "observed_on": days_ago(2), "utilization_pct": 40}
    )
    real_check = customer_checks.check_many
    calls = []

    def meanwhile(ids, actor_id):  # while the job checks the first: a past-due figure of it arrives
        calls.append(list(ids))
        found = real_check(ids, actor_id)
        if len(calls) == 1:
            observations.record(
                people.officer, {"uscc": first.uscc, "observed_on": days_ago(1), "days_past_due": 45}
            )
        return found

    monkeypatch.setattr(customer_checks, "check_many", meanwhile)
    assert realtime.drain() == 1
    assert calls == [[first.id], [first.id]] and open_codes(first.id) == {"past_due_30"} and waiting() == {}

    observations.record(
        people.officer, {"uscc": second.uscc, "observed_on": days_ago(1), "days_past_due": 45}
    )
    db.session.execute(update(CustomerCheckQueue).values(claimed_at=utcnow()))  # a job took it, then died
    db.session.commit()
    assert realtime.drain() == 0 and waiting() == {second.id: people.officer.id}  # its claim still holds
    with time_machine.travel(utcnow().replace(tzinfo=UTC) + timedelta(seconds=realtime.CLAIM_SECONDS + 1)):
        assert realtime.drain() == 1  # lapsed: taken again
    assert open_codes(second.id) == {"past_due_30"} and waiting() == {}


def test_each_batch_an_import_stores_is_checked_as_it_is_stored(deployed, people, realtime_on):
    first, second = approved_customer_of(people, 1), approved_customer_of(people, 2)
    text = (
        "uscc,observed_on,days_past_due,negative_news\n"
        f"{first.uscc},{days_ago(1)},45,\n"
        f"{second.uscc},{days_ago(1)},,true\n"
        "91000000000000000X,2026-11-01,3,\n"  # no such customer: reported, the rest stored
    )
    job = imports.run(imports.upload(people.risk, "obs.csv", text.encode()).id)
    assert (job.stored_rows, job.error_rows) == (2, 1)

    assert "past_due_30" in open_codes(first.id) and "negative_news" in open_codes(second.id)
    assert checks_of(first.id)[-1].actor_id == people.risk.id  # who uploaded the file
    assert portfolio.scan(people.risk).raised == []


def test_statements_an_approved_case_or_review_keeps_are_checked_at_once(deployed, people, realtime_on):
    customer = approved_customer_of(people, 1)
    approval = checks_of(customer.id)
    assert (
        approval and approval[-1].actor_id == people.compliance.id
    )  # the sign-off that kept the case's statements

    case = db.session.scalar(select(ProcessInstance).where(ProcessInstance.customer_id == customer.id))
    worse = statement(local_today().year, 400_000_000, 0.0, random.Random(1))  # current ratio under one
    with unit_of_work():
        customer_files.store_statements(customer.id, case, [worse], people.risk)
    assert "current_ratio_below_one" in open_codes(customer.id)
    assert checks_of(customer.id)[-1].actor_id == people.risk.id

    with unit_of_work():  # the same figures kept again: nothing changed, nothing queued
        customer_files.store_statements(customer.id, case, [worse], people.risk)
    assert len(checks_of(customer.id)) == len(approval) + 1
    assert portfolio.scan(people.risk).raised == []


def test_statements_a_periodic_review_keeps_are_checked_when_it_completes(deployed, people, realtime_on):
    customer, started = review_due_today(people)
    checked = len(checks_of(customer.id))
    figures = statements(health=1.3)
    figures[-1]["cash"] += 1000  # the year's statement as the review corrected it
    tasks.complete(
        people.officer,
        ready(started, "do_review").id,
        {"statements": figures, "review_notes": "经营正常，按期付息。"},
    )
    db.session.expire_all()
    review = db.session.get(ProcessInstance, started)
    assert (review.status, review.outcome) == ("completed", "reviewed")
    assert len(checks_of(customer.id)) == checked + 1
    assert checks_of(customer.id)[-1].actor_id == people.officer.id  # who completed the review


def test_a_failed_check_leaves_the_rest_of_its_batch_to_the_next_job_and_a_long_drain_hands_over(
    deployed, people, realtime_on, no_worker, monkeypatch
):
    first, second = approved_customer_of(people, 1), approved_customer_of(people, 2)
    realtime.drain()  # the statements their approvals kept
    observations.record(people.officer, {"uscc": first.uscc, "observed_on": days_ago(1), "days_past_due": 45})
    observations.record(people.risk, {"uscc": second.uscc, "observed_on": days_ago(1), "days_past_due": 45})
    queued_at = db.session.scalar(
        select(CustomerCheckQueue.queued_at).where(CustomerCheckQueue.customer_id == first.id)
    )
    observations.record(
        people.officer, {"uscc": first.uscc, "observed_on": days_ago(0), "utilization_pct": 30}
    )
    db.session.expire_all()
    assert db.session.get(CustomerCheckQueue, first.id).queued_at == queued_at  # queued again: its place kept

    real_check = customer_checks.check_many

    def failing_for_risk(ids, actor_id):
        if actor_id == people.risk.id:
            raise RuntimeError("the database went away")
        return real_check(ids, actor_id)

    monkeypatch.setattr(customer_checks, "check_many", failing_for_risk)
    with pytest.raises(RuntimeError):
        realtime.drain()
    db.session.expire_all()
    assert waiting() == {second.id: people.risk.id}  # the officer's group done, the risk manager's left
    assert (
        db.session.get(CustomerCheckQueue, second.id).claimed_at is None
    )  # for the next job, not in 15 minutes
    assert open_codes(first.id) == {"past_due_30"}

    monkeypatch.setattr(customer_checks, "check_many", real_check)
    observations.record(
        people.officer, {"uscc": first.uscc, "observed_on": days_ago(3), "utilization_pct": 99}
    )
    monkeypatch.setattr(realtime, "BATCH", 1)
    monkeypatch.setattr(realtime, "DRAIN_SECONDS", 0)
    jobs = len(queued())
    realtime.drain()  # one batch of one, then its time is up: the next job takes the rest
    assert realtime.waiting() == 1 and len(queued()) == jobs + 1
    realtime.drain()
    realtime.drain()
    assert realtime.waiting() == 0 and open_codes(second.id) == {"past_due_30"}
