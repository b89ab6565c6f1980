"""A draft's check, run away from the save or page that asked for it."""

from celery import shared_task

from app.engine import SANDBOX_LIMITS
from app.services.design.workspace import draft_checks
from app.services.shared import dispatch


# Idempotent (a done check is not run again): a lost worker's job is redelivered; the check counts its runs
# and ends as a problem after too many, so a draft that kills its worker cannot loop for ever.
@shared_task(
    name=dispatch.CHECK_DRAFT,
    time_limit=int(SANDBOX_LIMITS.check_seconds * 4),
    acks_late=True,
    reject_on_worker_lost=True,
)
def check_draft(check_id: int) -> str | None:
    """Check the working copy for one file; returns the check's state."""
    return draft_checks.run(check_id)
