"""The timer tick: fire every BPMN timer that is due, each in its own transaction."""

from celery import shared_task

from app.services import timers


@shared_task(name="app.jobs.timers.tick", time_limit=120)
def tick() -> int:
    """Fire due timers; returns how many instances moved."""
    return timers.fire_due()
