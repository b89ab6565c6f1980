"""The scheduled portfolio check: every watched customer against the early-warning rules."""

from celery import shared_task

from app.services import portfolio, reviews


@shared_task(name="app.jobs.monitoring.check_portfolio", time_limit=3600)
def check_portfolio() -> int:
    """Raise the new warnings (each starting its escalation); returns how many were raised."""
    return len(portfolio.scan().raised)


@shared_task(name="app.jobs.monitoring.start_reviews", time_limit=3600)
def start_reviews() -> int:
    """Start the periodic reviews that fall due (catching up after downtime); returns how many started."""
    return len(reviews.start_due())
