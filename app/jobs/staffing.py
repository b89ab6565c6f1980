"""The safety net of cases waiting for people: a qualification lapses by date, with no service to tell."""

from celery import shared_task

from app.services.approval import staffing


@shared_task(name="app.jobs.staffing.recheck", time_limit=600)
def recheck() -> int:
    """Resume the cases someone may now act on and find the tasks nobody may do; returns how many moved."""
    done = staffing.recheck()
    return len(done.resumed) + len(done.filled) + len(done.opened)
