"""Real-time monitoring (实时监控): the warning rules run for a customer as soon as what they read is stored, not
only at the daily check. Whatever stores observations (the API, the entry screen, an import's batch, a connector)
or statements (a decided case or review) calls ``queue`` in its own unit of work: the customers join the check
queue (``CustomerCheckQueue``, one row each) and a job is queued (``dispatch.CHECK_CUSTOMERS``), both committed
with what was stored, or dropped with it. ``CREDIT_MONITORING_REALTIME`` turns it off (the daily check then reads
them).

A job ``drain``s the queue: it claims up to ``BATCH`` customers (``FOR UPDATE SKIP LOCKED``: two jobs never
claim the same waiting customer), runs ``customer_checks.check_many`` on them (the daily check's rules and
deduplication), removes them, and goes on while customers wait, for ``DRAIN_SECONDS`` at most (then it queues the
next job). A burst is so checked in a few batches rather than a job per call, and the job of a later call finds
its customers already checked. A customer queued again while claimed keeps its place and is checked again (by
this job or another: ``portfolio.scan`` places a customer's warnings under its row lock, reading them again
there); what is left of a batch whose check failed waits for the next job; a batch whose worker died is taken
again after ``CLAIM_SECONDS`` (beat drains every ``SWEEP_SECONDS``).

Kept apart from ``customer_checks`` so that the stores can import it (the check itself reads observations).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import CustomerCheckQueue
from app.models.base import utcnow
from app.services.shared import dispatch

BATCH = 1000  # customers per check: the scoped check reads their warnings only up to this many
CLAIM_SECONDS = 900  # a claim this old was a job's that died (its time limit is 600 s): taken again
DRAIN_SECONDS = 60  # a job drains this long, then queues the next (none runs into its time limit)
SWEEP_SECONDS = 60  # beat drains what a lost job left


def queue(customer_ids: Iterable[int], actor_id: int | None) -> None:
    """In the caller's unit of work: ``customer_ids``, whose observations or statements it stores (``actor_id``
    did), wait for the warning rules, and a job will take them once it commits. Nothing when real-time
    monitoring is off: the daily check reads them."""
    if not current_app.config["MONITORING_REALTIME"]:
        return
    now = utcnow()
    rows = [
        {"customer_id": i, "actor_id": actor_id, "queued_at": now, "claimed_at": None}
        for i in sorted({int(i) for i in customer_ids})
    ]
    if not rows:
        return
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(CustomerCheckQueue).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["customer_id"],
            # Its place in the queue kept (one observed often is not sent to the back each time); a job that has
            # it checks it again.
            set_={name: statement.excluded[name] for name in ("actor_id", "claimed_at")},
        )
    )
    dispatch.enqueue(dispatch.CHECK_CUSTOMERS)


def drain() -> int:
    """Check the waiting customers, a batch at a time, while some wait and for at most ``DRAIN_SECONDS`` (then
    another job goes on); returns the warnings raised."""
    from app.services.monitoring import customer_checks  # it reads observations, whose store imports this

    raised, began = 0, time.monotonic()
    while claimed := _claim():
        stamp, by_actor = claimed
        groups = list(by_actor.items())
        try:
            while groups:
                actor_id, ids = groups[0]
                raised += len(customer_checks.check_many(ids, actor_id).raised)
                _release(ids, stamp, delete(CustomerCheckQueue))
                groups.pop(0)
        finally:
            if groups:  # it failed: the rest waits for the next job, not for the claim to lapse
                db.session.rollback()
                _release(
                    [i for _a, ids in groups for i in ids],
                    stamp,
                    update(CustomerCheckQueue).values(claimed_at=None),
                )
        if time.monotonic() - began > DRAIN_SECONDS and waiting():
            dispatch.enqueue(dispatch.CHECK_CUSTOMERS)
            db.session.commit()
            break
    return raised


def _release(ids: list[int], stamp: datetime, statement) -> None:
    """Delete or unclaim the rows of ``ids`` this job claimed at ``stamp`` (not one queued again meanwhile)."""
    db.session.execute(
        statement.where(
            CustomerCheckQueue.customer_id.in_(ids), CustomerCheckQueue.claimed_at == stamp
        ).execution_options(synchronize_session=False)
    )
    db.session.commit()


def waiting() -> int:
    """How many customers wait for their check (for operators and tests)."""
    return db.session.scalar(select(func.count()).select_from(CustomerCheckQueue)) or 0


def _claim() -> tuple | None:
    """Up to ``BATCH`` waiting customers taken for this job (committed), oldest first, by who queued them."""
    now = utcnow()
    rows = db.session.execute(
        select(CustomerCheckQueue.customer_id, CustomerCheckQueue.actor_id)
        .where(
            or_(
                CustomerCheckQueue.claimed_at.is_(None),
                CustomerCheckQueue.claimed_at < now - timedelta(seconds=CLAIM_SECONDS),
            )
        )
        .order_by(CustomerCheckQueue.queued_at)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        db.session.commit()
        return None
    db.session.execute(
        update(CustomerCheckQueue)
        .where(CustomerCheckQueue.customer_id.in_([r.customer_id for r in rows]))
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    by_actor: dict[int | None, list[int]] = {}
    for customer_id, actor_id in rows:
        by_actor.setdefault(actor_id, []).append(customer_id)
    return now, by_actor


@contextmanager
def off() -> Iterator[None]:
    """Real-time monitoring off for what runs inside (the demo's loader, which runs its own checks and stages
    the escalations they start)."""
    config = current_app.config
    before, config["MONITORING_REALTIME"] = config["MONITORING_REALTIME"], False
    try:
        yield
    finally:
        config["MONITORING_REALTIME"] = before
