"""Large monitoring imports run here, with their progress in the import row."""

from celery import shared_task

from app.services.monitoring import imports
from app.services.shared import dispatch


# Idempotent (a run resumes after the last batch stored, under the import's lease): a lost worker's job is
# redelivered; a worker killed outright is found by the watchdog below.
@shared_task(name=dispatch.RUN_IMPORT, time_limit=3600, acks_late=True, reject_on_worker_lost=True)
def run_import(import_id: int) -> int:
    """Import the file; returns how many observations were stored."""
    job = imports.run(import_id)
    return job.stored_rows if job is not None else 0


@shared_task(name="app.jobs.imports.watch", time_limit=300)
def watch() -> int:
    """Queue again the imports no live worker holds (stale heartbeat); returns how many."""
    return len(imports.watch())
