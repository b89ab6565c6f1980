"""Training reminders (培训到期提醒): staff told of required courses about to lapse and lapsed."""

from celery import shared_task

from app.services.people.training import reminders


@shared_task(name="app.jobs.training.remind", time_limit=600)
def remind() -> int:
    """Tell each person of their required courses expiring within 30 days or lapsed (idempotent: each pass is
    told of once per phase); returns how many were told."""
    return reminders.notify_due()
