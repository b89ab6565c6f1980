"""The scheduled portfolio check: every watched customer against the early-warning rules."""

from celery import shared_task

from app.services import portfolio


@shared_task(name="app.jobs.monitoring.check_portfolio", time_limit=3600)
def check_portfolio() -> int:
    """Raise the new warnings (each starting its escalation); returns how many were raised."""
    return len(portfolio.scan().raised)
