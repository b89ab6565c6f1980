"""The customers' scheduled work: follow-ups of the contact log falling due, facilities nearing maturity, the
guarantee circles of the whole book, the collateral due for revaluation and the post-loan inspections falling due."""

from celery import shared_task

from app.services.customers.collateral import revaluation
from app.services.customers.contacts import follow_ups
from app.services.customers.facilities import renewals
from app.services.customers.guarantees import circles_kept
from app.services.customers.inspections import planning
from app.services.shared import dispatch


@shared_task(name="app.jobs.customers.notify_follow_ups", time_limit=600)
def notify_follow_ups() -> int:
    """Notify the officers of the follow-ups due (idempotent: each is told once); returns how many."""
    return follow_ups.notify_due()


# Idempotent (a facility is renewed by one case, ever): a lost worker's job is redelivered.
@shared_task(name=dispatch.PROPOSE_RENEWALS, time_limit=3600, acks_late=True, reject_on_worker_lost=True)
def propose_renewals() -> int:
    """Propose the renewal (续授信) of each live facility within ``CREDIT_RENEWAL_LEAD_DAYS`` of its maturity
    that has none; returns how many were proposed."""
    return len(renewals.propose_due())


# Idempotent (the scan keeps what it finds): a lost worker's job is redelivered.
@shared_task(name=dispatch.KEEP_CIRCLES, time_limit=3600, acks_late=True, reject_on_worker_lost=True)
def keep_guarantee_circles() -> int:
    """Scan the whole guarantee network and keep its circles (担保圈); returns the firms in a circle."""
    return circles_kept.refresh_book().members


# Idempotent (an item is revalued by one running case at a time, claimed when it starts): safe to run twice.
@shared_task(
    name="app.jobs.customers.start_revaluations", time_limit=3600, acks_late=True, reject_on_worker_lost=True
)
def start_revaluations() -> int:
    """Start the revaluation (押品重估) of each active item whose next revaluation fell due (catching up after
    downtime); returns how many started."""
    return len(revaluation.start_due())


@shared_task(name="app.jobs.customers.start_inspections", time_limit=3600)
def start_inspections() -> int:
    """Plan the post-loan inspections (贷后检查) missing and open those due to open; returns how many opened."""
    return len(planning.start_due())
