"""The warning rules run for some customers at once, when their files change in a way the rules read, rather than
at the daily check (实时监控, real-time monitoring):

- an observation stored (the API, the entry screen, an import's batch) or a statement a decided case or review
  keeps: ``check_many``, queued by ``realtime`` with what stores it;
- a signed-off inspection visit with a finding of medium or high severity (贷后检查发现 → 预警), a collateral
  revaluation confirmed (the coverage of its facilities changed): ``dispatch.CHECK_CUSTOMER`` with the step.

The escalation takes it from there. The same rules and the same deduplication as the daily check
(``portfolio.scan``), so the daily check finds nothing new that real time raised (a warning rests on the date of
what it rests on), and a job run twice raises nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.extensions import db
from app.models import User
from app.services.monitoring import portfolio


def check(customer_id: int, actor_id: int | None = None) -> portfolio.ScanResult:
    """The warning rules run for ``customer_id`` (audited as the check of that customer); ``actor_id`` is who
    asked for it (the manager who signed the visit off, the risk manager who confirmed the value)."""
    return check_many([customer_id], actor_id)


def check_many(customer_ids: Iterable[int], actor_id: int | None = None) -> portfolio.ScanResult:
    """The warning rules run for ``customer_ids`` (those with a live facility), audited as one check;
    ``actor_id`` is who stored what changed their files."""
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    return portfolio.scan(actor, customer_ids=sorted(set(customer_ids)))
