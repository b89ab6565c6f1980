"""The guarantee circles (担保圈) kept in the database, so that the warning rules, the approval authority and the
pages read a firm's circle with one index read (``GuaranteeCircleMember``), whatever the size of the book.

Kept two ways, with the one definition of a circle (``graph.circles_in``):

- **around a guarantee** registered or released (``refresh_around``), in its transaction: the weakly connected
  part of the network holding its two firms is read hop by hop and its circles found, so the customer page and
  the next case see the circle at once. A part larger than ``PART_LIMIT`` firms is left to the whole scan,
  queued with the change.
- **over the whole book** (``refresh_book``), by the beat and on a risk manager's request: every guarantee in
  force (one grouped read), the circles and the long chains over it, kept with a scan row. A guarantee whose end
  date passes leaves the network here.

A firm keeps the date it was first found in a circle (``since``) while it stays in one; the warning rules rest on
that date, so a firm long in a circle is warned once. Joining and leaving a circle are audited on the customer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.localtime import local_today
from app.models import GuaranteeCircleMember, GuaranteeNetworkScan, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.customers.guarantees import circles, graph
from app.services.shared import dispatch

CHAINS_KEPT = 500  # the longest chains a scan keeps, for the page and the API
PART_LIMIT = 5000  # firms read around a changed guarantee before the change is left to the whole scan


@dataclass(frozen=True)
class Place:
    """Where a firm stands: its circle (named by the smallest member's id), the circle's size and amount."""

    circle_id: int
    size: int
    amount: Decimal


def places_in(found: Iterable[graph.Circle]) -> dict[int, Place]:
    """Each member of the circles ``found``, with its place."""
    return {
        member: Place(circle.members[0], len(circle.members), circle.amount)
        for circle in found
        for member in circle.members
    }


def _apply(places: dict[int, Place], scope: set[int] | None, actor: User | None) -> tuple[int, int]:
    """Make the kept rows of the firms in ``scope`` (None: every firm) say ``places``; returns how many firms
    joined a circle and how many left every circle. Flushed, not committed."""
    query = select(GuaranteeCircleMember)
    if scope is not None:
        query = query.where(GuaranteeCircleMember.customer_id.in_(scope))
    kept = {row.customer_id: row for row in db.session.scalars(query)}
    today, now = local_today(), utcnow()
    left = [customer_id for customer_id in kept if customer_id not in places]
    if left:
        db.session.execute(delete(GuaranteeCircleMember).where(GuaranteeCircleMember.customer_id.in_(left)))
    for customer_id in left:
        audit.record(
            "guarantee.circle_left", actor, customer_id=customer_id, circle_id=kept[customer_id].circle_id
        )
    joined = 0
    for customer_id, place in places.items():
        row = kept.get(customer_id)
        if row is None:
            db.session.add(
                GuaranteeCircleMember(
                    customer_id=customer_id,
                    circle_id=place.circle_id,
                    size=place.size,
                    amount=place.amount,
                    since=today,
                    checked_at=now,
                )
            )
            audit.record(
                "guarantee.circle_joined",
                actor,
                customer_id=customer_id,
                circle_id=place.circle_id,
                size=place.size,
                amount=str(place.amount),
            )
            joined += 1
        elif (row.circle_id, row.size, row.amount) != (place.circle_id, place.size, place.amount):
            row.circle_id, row.size, row.amount = place.circle_id, place.size, place.amount
            row.checked_at = now
    db.session.flush()
    return joined, len(left)


def refresh_around(customer_ids: set[int], actor: User | None) -> None:
    """Find again the circles of the part of the network holding ``customer_ids`` (a guarantee between them was
    just registered or released), in the caller's transaction. The firms kept in their circles before are read
    too (a released guarantee may have split theirs)."""
    before = set(
        db.session.scalars(
            select(GuaranteeCircleMember.customer_id).where(
                GuaranteeCircleMember.circle_id.in_(
                    select(GuaranteeCircleMember.circle_id).where(
                        GuaranteeCircleMember.customer_id.in_(customer_ids)
                    )
                )
            )
        )
    )
    edges, firms, whole = circles.part_around(customer_ids | before, PART_LIMIT)
    if not whole:
        dispatch.enqueue(dispatch.KEEP_CIRCLES)  # too large a part to read here: the whole scan keeps it
        return
    try:
        with db.session.begin_nested():
            _apply(places_in(graph.circles_in(graph.network_of(edges))), firms, actor)
    except IntegrityError:  # a scan kept the same firm meanwhile: the whole scan settles it
        dispatch.enqueue(dispatch.KEEP_CIRCLES)


def refresh_book(actor: User | None = None) -> GuaranteeNetworkScan:
    """Scan the whole network: keep every firm's circle and record the scan with its long chains; committed.
    A change kept around a guarantee while the scan ran makes it scan once more."""
    try:
        return _scan(actor)
    except IntegrityError:
        db.session.rollback()
        return _scan(actor)


def _scan(actor: User | None) -> GuaranteeNetworkScan:
    started = time.perf_counter()
    network = circles.active_network()
    labels = graph.components(network)
    found = graph.circles_in(network, labels)
    longest = circles.policy_length()
    chains = graph.chains_in(network, longest, CHAINS_KEPT, labels)
    places = places_in(found)
    joined, left = _apply(places, None, actor)
    scan = GuaranteeNetworkScan(
        ran_at=utcnow(),
        firms=network.size,
        guarantees=len(network.guarantors),
        circles=len(found),
        members=len(places),
        joined=joined,
        left=left,
        max_chain_length=longest,
        chains=[[list(step) for step in chain.steps] for chain in chains],
        seconds=round(time.perf_counter() - started, 3),
    )
    db.session.add(scan)
    db.session.flush()
    audit.record(
        "guarantee.network_scanned",
        actor,
        scan_id=scan.id,
        circles=scan.circles,
        members=scan.members,
        joined=joined,
        left=left,
        chains=len(chains),
    )
    db.session.commit()
    return scan


def place_of(customer_id: int) -> GuaranteeCircleMember | None:
    """The kept circle of one customer, if it is in one."""
    return db.session.get(GuaranteeCircleMember, customer_id)


def members_of(circle_id: int) -> list[GuaranteeCircleMember]:
    """The kept members of one circle, by customer id."""
    return list(
        db.session.scalars(
            select(GuaranteeCircleMember)
            .where(GuaranteeCircleMember.circle_id == circle_id)
            .order_by(GuaranteeCircleMember.customer_id)
        )
    )


def latest_scan() -> GuaranteeNetworkScan | None:
    return db.session.scalars(
        select(GuaranteeNetworkScan).order_by(GuaranteeNetworkScan.id.desc()).limit(1)
    ).first()


def kept_findings() -> circles.Findings:
    """The circles as kept (current: each guarantee's change is kept at once) and the long chains of the last
    scan of the whole book, the firms named."""
    rows = db.session.scalars(select(GuaranteeCircleMember).order_by(GuaranteeCircleMember.customer_id))
    grouped: dict[int, list[GuaranteeCircleMember]] = {}
    for row in rows:
        grouped.setdefault(row.circle_id, []).append(row)
    found = sorted(
        (
            graph.Circle(tuple(r.customer_id for r in members), members[0].amount)
            for members in grouped.values()
        ),
        key=lambda c: (-len(c.members), -c.amount, c.members),
    )
    scan = latest_scan()
    chains = [graph.Chain(tuple(tuple(step) for step in chain)) for chain in (scan.chains if scan else [])]
    longest = scan.max_chain_length if scan else circles.policy_length()
    result = circles.Findings(found, chains, longest, scanned_at=scan.ran_at if scan else None)
    named = {m for c in found for m in c.members} | {
        m for chain in chains for step in chain.steps for m in step
    }
    result.names = circles.names_of(named)
    return result


def of_book(user: User) -> circles.Findings:
    """The guarantee circles page (担保圈): for risk managers, approvers and compliance."""
    circles.check_reader(user)
    return kept_findings()


def request_scan(user: User) -> None:
    """A risk manager asks for a scan of the whole book now (queued, as the beat's)."""
    circles.check_scanner(user)
    dispatch.enqueue(dispatch.KEEP_CIRCLES)
    audit.record("guarantee.network_scan_requested", user)
    db.session.commit()


def circle_around(customer_id: int) -> graph.Circle | None:
    """The kept circle ``customer_id`` is in, if any (its page)."""
    place = place_of(customer_id)
    if place is None:
        return None
    return graph.Circle(tuple(m.customer_id for m in members_of(place.circle_id)), place.amount)
