"""The firms on a guarantee chain (担保链) longer than the policy accepts (``rules/guarantee_network.dmn``), kept by
each scan of the whole book (``circles_kept.refresh_book``) so that the warning rules read a firm's place with one
index read (``GuaranteeChainMember``).

A chain is found only over the whole network (a new guarantee can lengthen chains far from its two firms), so,
unlike a circle, it is not kept at the register: the beat's scan finds it. A firm keeps the date it was first
found on a long chain (``since``) while it stays on one: the warning rests on that date, so it is warned once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, insert, select, text, update

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
    new = {customer: count for customer, count in steps.items() if customer not in kept}
    changed = {
        customer: count for customer, count in steps.items() if customer in kept and kept[customer] != count
    }
    if db.session.get_bind().dialect.name == "postgresql":
        _write_arrays(new, changed, today, now)  # a book's worth in one statement each, not a row per firm
    else:
        if new:
            rows = [{"customer_id": c, "steps": n, "since": today, "checked_at": now} for c, n in new.items()]
            db.session.execute(insert(GuaranteeChainMember), rows)
        if changed:  # by primary key, one statement run for all
            rows = [{"customer_id": c, "steps": n, "checked_at": now} for c, n in changed.items()]
            db.session.execute(update(GuaranteeChainMember), rows)
    db.session.flush()
    return ChainChanges(len(steps), len(new), len(gone))


def _write_arrays(new: dict[int, int], changed: dict[int, int], today: date, now: datetime) -> None:
    """PostgreSQL: the new rows inserted, and the changed ones updated, each from two arrays bound as parameters
    (``unnest`` pairs them), so a first scan of a million-firm book writes its chains in seconds."""
    if new:
        db.session.execute(
            text(
                "INSERT INTO guarantee_chain_member (customer_id, steps, since, checked_at) "
                "SELECT c, s, :since, :now FROM unnest(CAST(:ids AS bigint[]), CAST(:steps AS integer[])) AS t(c, s)"
            ),
            {"ids": list(new), "steps": list(new.values()), "since": today, "now": now},
        )
    if changed:
        db.session.execute(
            text(
                "UPDATE guarantee_chain_member m SET steps = t.s, checked_at = :now "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:steps AS integer[])) AS t(c, s) WHERE m.customer_id = t.c"
            ),
            {"ids": list(changed), "steps": list(changed.values()), "now": now},
        )


def steps_of(customer_ids: set[int]) -> dict[int, int]:
    """Of ``customer_ids`` (a page's few), those on a long chain, with the steps of the longest through each."""
    rows = select(GuaranteeChainMember.customer_id, GuaranteeChainMember.steps).where(
        GuaranteeChainMember.customer_id.in_(customer_ids)
    )
    return {customer: steps for customer, steps in db.session.execute(rows)}


def place_of(customer_id: int) -> GuaranteeChainMember | None:
    """The long chain a customer is on, as the last scan found it, if it is on one."""
    return db.session.get(GuaranteeChainMember, customer_id)
