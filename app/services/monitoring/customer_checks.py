"""The warning rules run for one customer at once, when its file changes in a way the rules read, rather than at
the daily check: a signed-off inspection visit with a finding of medium or high severity (贷后检查发现 → 预警), a
collateral revaluation confirmed (the coverage of its facilities changed). Queued as a job with the step that
changed the file (``dispatch.CHECK_CUSTOMER``); the escalation takes it from there. The daily check finds the same
and raises nothing twice (a warning rests on the date of what it rests on)."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.monitoring import portfolio


def check(customer_id: int, actor_id: int | None = None) -> portfolio.ScanResult:
    """The warning rules run for ``customer_id`` (audited as the check of that customer); ``actor_id`` is who
    asked for it (the manager who signed the visit off, the risk manager who confirmed the value)."""
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    return portfolio.scan(actor, customer_ids=[customer_id])
