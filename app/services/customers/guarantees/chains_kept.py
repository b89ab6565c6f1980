"""The firms on a guarantee chain (担保链) longer than the policy accepts (``rules/guarantee_network.dmn``), kept by
each scan of the whole book (``circles_kept.refresh_book``) so that the warning rules read a firm's place with one
index read (``GuaranteeChainMember``).

A chain is found only over the whole network (a new guarantee can lengthen chains far from its two firms), so,
unlike a circle, it is not kept at the register: the beat's scan finds it. A firm keeps the date it was first
found on a long chain (``since``) while it stays on one: the warning rests on that date, so it is warned once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from app.extensions import db
from app.localtime import local_today
from app.models import GuaranteeChainMember
from app.models.base import utcnow
from app.services.shared.id_lists import among


@dataclass(frozen=True)
class ChainChanges:
    on: int  # firms on a long chain after the scan
    joined: int  # of them, found on none before
    left: int  # firms on one before, on none now


def keep(steps: dict[int, int]) -> ChainChanges:
    """Make the kept rows say ``steps`` (each firm on a long chain, the steps of the longest through it). Flushed,
    not committed: the scan commits."""
    kept: dict[int, int] = {
        customer: count
        for customer, count in db.session.execute(
            select(GuaranteeChainMember.customer_id, GuaranteeChainMember.steps)
        )
    }
    gone = [customer for customer in kept if customer not in steps]
    if gone:
        db.session.execute(delete(GuaranteeChainMember).where(among(GuaranteeChainMember.customer_id, gone)))
    today, now = local_today(), utcnow()
    new = [
        {"customer_id": customer, "steps": count, "since": today, "checked_at": now}
        for customer, count in steps.items()
        if customer not in kept
    ]
    if new:
        db.session.execute(GuaranteeChainMember.__table__.insert(), new)
    changed = [
        {"customer_id": customer, "steps": count, "checked_at": now}
        for customer, count in steps.items()
        if customer in kept and kept[customer] != count
    ]
    if changed:  # by primary key, one statement run for all
        db.session.execute(update(GuaranteeChainMember), changed)
    db.session.flush()
    return ChainChanges(len(steps), len(new), len(gone))


def place_of(customer_id: int) -> GuaranteeChainMember | None:
    """The long chain a customer is on, as the last scan found it, if it is on one."""
    return db.session.get(GuaranteeChainMember, customer_id)
