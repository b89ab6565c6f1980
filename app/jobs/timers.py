"""The timer tick: fire every BPMN timer that is due, each in its own transaction."""

import time

from celery import shared_task
from flask import current_app

from app.services.cases import timers


@shared_task(name="app.jobs.timers.tick", time_limit=300)
def tick() -> int:
    """Fire due timers until none is due or the tick's budget (``TIMER_BUDGET_SECONDS``) is spent; a
    backlog larger than one tick can fire is taken up by a next tick queued at once, not a beat later.
    Returns how many instances moved."""
    budget = float(current_app.config["TIMER_BUDGET_SECONDS"])
    began = time.monotonic()
    fired = timers.fire_due(limit=None, seconds=budget)
    if time.monotonic() - began >= budget and not tick.app.conf.task_always_eager:
        tick.apply_async()
    return fired
