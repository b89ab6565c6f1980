"""External data connectors: the scheduled pull of every source with an endpoint."""

from celery import shared_task

from app.services.connectors import polling
from app.services.shared import dispatch


# Idempotent: a page is committed with the cursor after it, and an event id is kept once.
@shared_task(name="app.jobs.connectors.poll_all", time_limit=600, acks_late=True, reject_on_worker_lost=True)
def poll_all() -> int:
    """Pull every configured source that is not paused; returns the observations stored."""
    return sum(pulled.stored for pulled in polling.poll_all())


# Idempotent, as above: an administrator's "pull now".
@shared_task(name=dispatch.POLL_CONNECTOR, time_limit=600, acks_late=True, reject_on_worker_lost=True)
def poll_one(source: str) -> int:
    """Pull one source now; returns the observations stored."""
    return polling.poll(source).stored
