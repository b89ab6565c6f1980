"""Analytics jobs (分析): the portfolio dashboard precomputed for its default period."""

from __future__ import annotations

from celery import shared_task

from app.services.analytics import portfolio_summary


# Idempotent (each run replaces the rows it computes): a lost worker's job is redelivered.
@shared_task(
    name="app.jobs.analytics.precompute_portfolio",
    time_limit=3600,
    acks_late=True,
    reject_on_worker_lost=True,
)
def precompute_portfolio() -> int:
    """Compute the dashboard of the whole bank and of each branch, in each language; returns the rows kept."""
    return portfolio_summary.refresh()
