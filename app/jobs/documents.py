"""Rendering a decided case's documents away from the request that decided it."""

from celery import shared_task

from app.services.audit import documents
from app.services.shared import dispatch


# Idempotent (what is kept is not rendered again): a lost worker's job is redelivered, not dropped.
@shared_task(name=dispatch.KEEP_DECIDED, time_limit=300, acks_late=True, reject_on_worker_lost=True)
def keep_decided(instance_id: int) -> int:
    """Render and keep the credit memo and approval certificate (both languages); returns how many."""
    return len(documents.keep_decided(instance_id))
