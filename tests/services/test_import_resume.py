"""An import whose worker died: its lease lapses, the watchdog queues it again, and it resumes after the last
batch stored, every row stored once; a run a live worker holds is left to it, and a frozen run that lost its
lease stores nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.models import AuditEvent, MonitoringImport, Observation
from app.models.base import utcnow
from app.services.monitoring import imports
from app.services.monitoring.imports import LeaseLost
from app.services.shared import dispatch
from tests.services.test_imports import HEADER, customers

IMPORTS = MonitoringImport.__table__


class WorkerKilled(BaseException):
    """What a killed worker leaves: nothing after it runs (not even the run's own clean-up)."""


def upload_of(people, days: int = 4) -> MonitoringImport:
    made = customers(5)
    lines = [HEADER] + [
        f"{c.uscc},2026-10-{day:02d},{day},0,0,0,no," for c in made for day in range(1, days + 1)
    ]
    return imports.upload(people.officer, "big.csv", "\n".join(lines).encode())


def killed_after(monkeypatch, batches: int) -> None:
    """The worker dies after storing ``batches`` batches, holding the lease (its heartbeat still set)."""
    real, calls = imports._store_batch, []

    def store(*args, **kwargs):
        calls.append(1)
        if len(calls) > batches:
            monkeypatch.setattr(db.session, "rollback", lambda: None)  # a dead process cleans nothing up
            monkeypatch.setattr(db.session, "commit", lambda: None)
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "_store_batch", store)


def stored() -> tuple[int, int]:
    """How many observations, and how many distinct (customer, date) among them."""
    rows = db.session.execute(select(Observation.customer_id, Observation.observed_on)).all()
    return len(rows), len(set(rows))


def age(import_id: int, seconds: int) -> None:
    db.session.execute(
        update(IMPORTS)
        .where(IMPORTS.c.id == import_id)
        .values(heartbeat_at=utcnow() - timedelta(seconds=seconds))
    )
    db.session.commit()


def test_an_import_whose_worker_died_is_resumed_by_the_watchdog_and_stores_every_row_once(
    app, people, monkeypatch, jobs_here
):
    job = upload_of(people)
    monkeypatch.setattr(imports, "BATCH", 6)
    with monkeypatch.context() as dying:
        killed_after(dying, 2)
        with pytest.raises(WorkerKilled):
            imports.run(job.id)
    db.session.rollback()
    halfway = db.session.get(MonitoringImport, job.id, populate_existing=True)
    assert (halfway.status, halfway.done_rows, halfway.runner is not None) == ("running", 12, True)
    assert imports.watch() == []  # its heartbeat is fresh: a live worker may hold it
    assert imports.run(job.id).done_rows == 12  # a second delivery leaves it to that worker
    age(job.id, app.config["IMPORT_STALE_SECONDS"] + 1)
    assert imports.watch() == [job.id]  # queued again (run here, eagerly), resumed after row 13
    db.session.expire_all()
    done = db.session.get(MonitoringImport, job.id)
    assert (done.status, done.done_rows, done.stored_rows, done.error_rows, done.attempts) == (
        "done",
        20,
        20,
        0,
        2,
    )
    assert stored() == (20, 20)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.event_type == "monitoring.import_resumed")
        )
        == 1
    )


def test_a_frozen_run_whose_lease_was_taken_over_stores_nothing_more(app, people, no_worker):
    job = upload_of(people)
    token = imports._claim(job.id)
    age(job.id, app.config["IMPORT_STALE_SECONDS"] + 1)
    assert imports.watch() == [job.id]  # its lease revoked; the job waits in the outbox
    assert [j.args for j in dispatch.unsent()] == [[job.id]]
    job = db.session.get(MonitoringImport, job.id, populate_existing=True)
    with pytest.raises(LeaseLost):
        imports._store_batch(job, [(2, {"uscc": "x", "observed_on": "2026-10-01"})], token, {})
    db.session.rollback()
    assert stored() == (0, 0)
    assert imports.run(job.id).status == "done" and stored() == (20, 20)  # the job queued again finishes it


def test_an_import_that_kills_its_worker_every_time_is_failed_after_the_attempts_allowed(
    app, people, monkeypatch, no_worker
):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ATTEMPTS", 2)
    job = upload_of(people)
    for _attempt in range(2):
        assert imports._claim(job.id) is not None
        age(job.id, app.config["IMPORT_STALE_SECONDS"] + 1)
    failed = imports.run(job.id)
    assert (failed.status, failed.failure["params"], stored()) == ("failed", {"count": 2}, (0, 0))
    assert imports.watch() == []  # failed: the watchdog leaves it
