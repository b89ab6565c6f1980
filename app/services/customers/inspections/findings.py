"""A visit's findings reach the early warnings (贷后检查发现 → 预警): once a visit with a finding of medium or high
severity is signed off, the warning rules (``rules/warning_rules.dmn``, whose ``inspection_finding`` input is
the worst severity of the customer's latest signed-off inspection: ``portfolio_inputs``) are run for that
customer at once, rather than waiting for the daily check; the escalation takes it from there. The daily check
finds the same and raises nothing twice (a warning rests on the day the visit was signed off)."""

from __future__ import annotations

from app.extensions import db
from app.models import User
from app.services.monitoring import portfolio


def raise_warnings(customer_id: int, actor_id: int | None = None) -> portfolio.ScanResult:
    """The warning rules run for ``customer_id`` (audited as the check of that customer); ``actor_id`` is the
    manager whose sign-off asked for it."""
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    return portfolio.scan(actor, customer_ids=[customer_id])
