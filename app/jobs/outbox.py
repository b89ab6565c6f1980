"""Sending again the jobs whose relay to the broker failed (the broker was away when their step committed)."""

from celery import shared_task

from app.services.shared import dispatch


@shared_task(name="app.jobs.outbox.sweep", time_limit=300)
def sweep() -> int:
    """Send the jobs still unsent; returns how many the broker took."""
    return dispatch.sweep()
