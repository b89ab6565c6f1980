"""Rendering a decided case's documents away from the request that decided it."""

from celery import shared_task

from app.services import documents


@shared_task(name="app.jobs.documents.keep_decided", time_limit=300)
def keep_decided(instance_id: int) -> int:
    """Render and keep the credit memo and approval certificate (both languages); returns how many."""
    return len(documents.keep_decided(instance_id))
