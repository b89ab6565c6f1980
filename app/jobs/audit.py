"""The daily audit-chain check."""

from celery import shared_task

from app.services.audit import audit_checks


@shared_task(name="app.jobs.audit.verify_chain", time_limit=3600)
def verify_chain() -> bool:
    """Recompute the chain; alert compliance when it is broken. Returns whether it is intact."""
    return audit_checks.verify_and_alert().ok
