"""The scheduled portfolio check: every watched customer against the early-warning rules."""

from celery import shared_task

from app.services.monitoring import customer_checks, portfolio_checks, realtime, reviews
from app.services.shared import dispatch


# Idempotent (the scan never raises a warning twice): a lost worker's job is redelivered.
@shared_task(name=dispatch.CHECK_PORTFOLIO, time_limit=3600, acks_late=True, reject_on_worker_lost=True)
def check_portfolio(check_id: int | None = None) -> int:
    """Run the check a risk manager asked for (the beat's daily run: a new one), its progress kept in its
    row; returns how many warnings it raised."""
    check = portfolio_checks.run(check_id)
    return check.raised if check is not None else 0  # None: no such check, or it ended before this one began


@shared_task(name="app.jobs.monitoring.start_reviews", time_limit=3600)
def start_reviews() -> int:
    """Start the periodic reviews that fall due (catching up after downtime); returns how many started."""
    return len(reviews.start_due())


# Idempotent (the warning rules never raise a warning twice from one figure): a lost worker's job is redelivered.
@shared_task(name=dispatch.CHECK_CUSTOMER, time_limit=600, acks_late=True, reject_on_worker_lost=True)
def check_customer(customer_id: int, actor_id: int | None = None) -> int:
    """Run the warning rules for one customer whose file just changed; returns how many warnings were raised."""
    return len(customer_checks.check(customer_id, actor_id).raised)


# Idempotent, as above: real-time monitoring's job, queued with the observations or statements stored (and by
# beat, for what a lost job left).
@shared_task(name=dispatch.CHECK_CUSTOMERS, time_limit=600, acks_late=True, reject_on_worker_lost=True)
def check_customers() -> int:
    """Run the warning rules for the customers waiting since their observations or statements were stored;
    returns how many warnings were raised."""
    return realtime.drain()
