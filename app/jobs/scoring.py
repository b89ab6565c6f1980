"""Scoring model jobs (模型管理): a training asked for in the browser or over the API, and the monthly check of the
models in use (模型监测)."""

from __future__ import annotations

from celery import shared_task

from app.services.scoring import drift, training_runs
from app.services.shared import dispatch


# Idempotent (a run is taken by one worker at a time, and a done or failed one is left as it is; a run whose worker
# died is queued again when looked at, ``services.shared.job_runs``, and trains again, keeping nothing until its
# version): a lost worker's job is redelivered.
@shared_task(name=dispatch.TRAIN_MODEL, time_limit=1800, acks_late=True, reject_on_worker_lost=True)
def train_model(run_id: int) -> int | None:
    """Train for the run ``run_id``; returns the version's id (None when the file was refused)."""
    found = training_runs.run(run_id)
    return found.model_id if found is not None else None


# Idempotent (a month is checked once for the champion in force; a second worker's check is refused by the unique
# month and subject, and leaves nothing): run by beat, a lost worker's job is redelivered.
@shared_task(name=dispatch.CHECK_MODEL_DRIFT, time_limit=1800, acks_late=True, reject_on_worker_lost=True)
def check_drift() -> int | None:
    """Check the last month due (ended the grace ago) for the champion in force, unless it has been; returns the
    check's id."""
    found = drift.check()
    return found.id if found is not None else None
