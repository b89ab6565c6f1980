"""Queueing a job with the work that asks for it: the job outbox.

A service that wants a job run (a decided case's documents, a large import, a portfolio check) calls
``enqueue(name, *args)`` inside its own transaction. The job becomes a ``job_outbox`` row, committed with
the step or upload, or rolled back with it: a job exists exactly when the work that asked for it does.
When that transaction ends the rows it wrote are relayed to the broker (``relay``), best effort: a broker
that cannot be reached is logged and written on the row (``last_error``), never raised into the request
whose work already committed. ``sweep`` (beat, every ``OUTBOX_SWEEP_SECONDS``) sends again what is still
unsent after that long, so nothing is lost while the broker is away; a job may so be sent twice (sent,
then the process died before marking it), and every job queued here is idempotent.

Services name jobs by their registered names (below), so they never import ``app.jobs``; the jobs name
their tasks with the same constants. With ``task_always_eager`` (tests) a relayed job runs inline, and
its errors propagate as they did when services called ``.delay`` themselves.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, select, update

from app.extensions import db
from app.models import QueuedJob
from app.models.base import utcnow

KEEP_DECIDED = "app.jobs.documents.keep_decided"
RUN_IMPORT = "app.jobs.imports.run_import"
CHECK_PORTFOLIO = "app.jobs.monitoring.check_portfolio"
CHECK_DRAFT = "app.jobs.design.check_draft"
PROPOSE_RENEWALS = "app.jobs.customers.propose_renewals"
KEEP_CIRCLES = "app.jobs.customers.keep_guarantee_circles"
CHECK_CUSTOMER = "app.jobs.monitoring.check_customer"
CHECK_CUSTOMERS = "app.jobs.monitoring.check_customers"
POLL_CONNECTOR = "app.jobs.connectors.poll_one"
RUN_STRESS = "app.jobs.analytics.run_stress_test"
START_CASE_ANALYSIS = "app.jobs.analytics.start_case_analysis"
TRAIN_MODEL = "app.jobs.scoring.train_model"
CHECK_MODEL_DRIFT = "app.jobs.scoring.check_drift"

PENDING = "job_outbox"  # the session.info key of the ids enqueued in the session's transaction
KEPT_SENT = timedelta(days=7)  # sent rows are deleted by the sweep after this long
SWEEP_BATCH = 500
# A request relays right after its commit: a broker that is away is left to the sweep, not waited for.
SEND_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
log = logging.getLogger(__name__)


def enqueue(name: str, *args) -> QueuedJob:
    """Queue the job ``name`` with ``args`` (ids: JSON values) in the caller's transaction; flushed, not
    committed. It is sent to the broker when the transaction ends committed."""
    if name not in current_app.extensions["celery"].tasks:
        raise LookupError(f"no job is registered as {name!r}")
    row = QueuedJob(task=name, args=list(args), created_at=utcnow(), attempts=0)
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(PENDING, []).append(row.id)
    return row


def init_app(app: Flask) -> None:
    """Relay each transaction's jobs when it ends (once per process: the listener is on the session)."""
    if not event.contains(db.session, "after_transaction_end", _transaction_ended):
        event.listen(db.session, "after_transaction_end", _transaction_ended)


def _transaction_ended(session, transaction) -> None:
    if transaction.parent is not None or not session.info.get(PENDING):
        return  # a savepoint ends inside its transaction: the outer one decides
    ids = session.info.pop(PENDING)
    try:
        relay(ids)  # rolled back: their rows do not exist, and nothing is sent
    except Exception:  # the database gone too: the rows, if committed, wait for the sweep
        if _inline():
            raise  # the job itself failed, inline: as if it had been called
        log.exception("jobs %s not relayed, left for the sweep", ids)


def relay(ids: list[int]) -> int:
    """Send the unsent jobs among ``ids`` (through a connection of their own: the caller's transaction has
    ended); returns how many the broker took. Errors are written on the rows and logged, not raised
    (except an inline job's own error in eager mode)."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            select(QueuedJob.id, QueuedJob.task, QueuedJob.args)
            .where(QueuedJob.id.in_(ids), QueuedJob.sent_at.is_(None))
            .order_by(QueuedJob.id)
        ).all()
    return _send_all(rows)


def sweep() -> int:
    """Send again every job still unsent ``OUTBOX_SWEEP_SECONDS`` after it was queued (its relay failed,
    or its process died before it), oldest first, stopping at the first the broker refuses; forget the
    jobs sent more than a week ago. Returns how many were sent."""
    now = utcnow()
    due = now - timedelta(seconds=current_app.config["OUTBOX_SWEEP_SECONDS"])
    rows = db.session.execute(
        select(QueuedJob.id, QueuedJob.task, QueuedJob.args)
        .where(QueuedJob.sent_at.is_(None), QueuedJob.created_at <= due)
        .order_by(QueuedJob.id)
        .limit(SWEEP_BATCH)
    ).all()
    db.session.execute(QueuedJob.__table__.delete().where(QueuedJob.sent_at < now - KEPT_SENT))
    db.session.commit()
    return _send_all(rows, stop_at_first_failure=True)


def unsent() -> list[QueuedJob]:
    """The jobs not yet taken by the broker, oldest first (for operators and tests)."""
    return list(
        db.session.scalars(select(QueuedJob).where(QueuedJob.sent_at.is_(None)).order_by(QueuedJob.id))
    )


def _send_all(rows, stop_at_first_failure: bool = False) -> int:
    sent, celery = 0, current_app.extensions["celery"]
    for row_id, name, args in rows:
        try:
            celery.tasks[name].apply_async(args=list(args), retry=True, retry_policy=SEND_RETRY)
        except Exception as exc:  # noqa: BLE001 - whatever the broker or its client raise, the job stays queued
            _mark(row_id, error=f"{type(exc).__name__}: {exc}"[:2000])
            if _inline():
                raise  # the job itself failed, inline: as if it had been called
            log.warning("job %s (%s) not sent, left for the sweep: %s", row_id, name, exc)
            if stop_at_first_failure:
                break
            continue
        _mark(row_id)
        sent += 1
    return sent


def _inline() -> bool:
    conf = current_app.extensions["celery"].conf
    return bool(conf.task_always_eager and conf.task_eager_propagates)


def _mark(row_id: int, error: str | None = None) -> None:
    values: dict[str, Any] = {"attempts": QueuedJob.attempts + 1}
    values.update({"last_error": error} if error else {"sent_at": utcnow(), "last_error": None})
    with db.engine.begin() as connection:
        connection.execute(update(QueuedJob).where(QueuedJob.id == row_id).values(**values))
