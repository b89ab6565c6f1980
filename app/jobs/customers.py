"""The contact log's follow-ups: each officer told once when one falls due."""

from celery import shared_task

from app.services.customers import follow_ups


@shared_task(name="app.jobs.customers.notify_follow_ups", time_limit=600)
def notify_follow_ups() -> int:
    """Notify the officers of the follow-ups due (idempotent: each is told once); returns how many."""
    return follow_ups.notify_due()
