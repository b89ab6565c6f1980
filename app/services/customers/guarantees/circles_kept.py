"""The guarantee circles (担保圈) kept in the database, so that the warning rules, the approval authority and the
pages read a firm's circle with one index read (``GuaranteeCircleMember``), whatever the size of the book.

Kept two ways, with the one definition of a circle (``graph.circles_in``):

- **around a guarantee** registered (``guarantee_added``) or released (``guarantee_removed``), in its
  transaction: a new guarantee closes a circle exactly when its borrower reaches its guarantor, so the firms
  ahead of the borrower are read hop by hop (up to ``PART_LIMIT``; a larger reach is left to the whole scan,
  queued with the change) and, when the guarantor is among them, the circle's firms found on those paths; a
  released one can only split the circle holding both its firms. The customer page and the next case see the
  circle at once.
- **over the whole book** (``refresh_book``), by the beat and on a risk manager's request: every guarantee in
  force (one grouped read), the circles and the long chains over it, kept with a scan row, and every firm on a
  long chain kept for the warning rules (``chains_kept``). A guarantee whose end date passes leaves the network
  here.

A firm keeps the date it was first found in a circle (``since``) while it stays in one; the warning rules rest on
that date, so a firm long in a circle is warned once. Joining and leaving a circle are audited on the customer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import delete, false, func, select, update

from app.extensions import db
from app.localtime import local_today
from app.models import GuaranteeCircleMember, GuaranteeNetworkScan, QueuedJob, User
from app.models.base import utcnow
from app.services.audit import audit
from app.services.customers.guarantees import chains_kept, circles, graph
from app.services.shared import dispatch

CHAINS_KEPT = 500  # the longest chains a scan keeps, for the page and the API
PART_LIMIT = 5000  # firms read ahead of a new guarantee before the change is left to the whole scan
SCANS_KEPT = 100  # the latest scans kept (the page reads the last)
NETWORK_LOCK = 7301037  # PostgreSQL advisory lock: one keeper of the circles at a time


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


@dataclass
class Changes:
    """What keeping a part of the network changed: the firms that joined a circle, and those that left every one."""

    joined: list[tuple[int, Place]] = field(default_factory=list)
    left: list[tuple[int, int]] = field(default_factory=list)  # (customer id, the circle it was in)


def _serialize() -> None:
    """One keeper of the circles at a time, to its commit: a register and a scan (or two registers) each read the
    network only once the other's change is committed, so neither keeps a picture the other has made stale.
    PostgreSQL: a transaction-scoped advisory lock; SQLite: a write that changes nothing takes the database's
    write lock, held to the commit."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(NETWORK_LOCK)))
    else:
        db.session.execute(
            update(GuaranteeCircleMember).where(false()).values(size=GuaranteeCircleMember.size)
        )


def _apply(places: dict[int, Place], scope: set[int] | None) -> Changes:
    """Make the kept rows of the firms in ``scope`` (None: every firm) say ``places``. Flushed, not committed."""
    query = select(GuaranteeCircleMember)
    if scope is not None:
        query = query.where(GuaranteeCircleMember.customer_id.in_(scope))
    kept = {row.customer_id: row for row in db.session.scalars(query)}
    today, now = local_today(), utcnow()
    changes = Changes(left=[(c, row.circle_id) for c, row in kept.items() if c not in places])
    if changes.left:
        gone = [c for c, _circle in changes.left]
        db.session.execute(delete(GuaranteeCircleMember).where(GuaranteeCircleMember.customer_id.in_(gone)))
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
            changes.joined.append((customer_id, place))
        elif (row.circle_id, row.size, row.amount) != (place.circle_id, place.size, place.amount):
            row.circle_id, row.size, row.amount = place.circle_id, place.size, place.amount
            row.checked_at = now
    db.session.flush()
    return changes


def _audit(changes: Changes, actor: User | None) -> None:
    for customer_id, circle_id in changes.left:
        audit.record("guarantee.circle_left", actor, customer_id=customer_id, circle_id=circle_id)
    for customer_id, place in changes.joined:
        audit.record(
            "guarantee.circle_joined",
            actor,
            customer_id=customer_id,
            circle_id=place.circle_id,
            size=place.size,
            amount=str(place.amount),
        )


def _keep(firms: set[int], actor: User | None) -> None:
    """Find the circles among ``firms`` (the guarantees in force between them) and keep them, for those firms."""
    places = places_in(graph.circles_in(graph.network_of(circles.edges_among(firms))))
    _audit(_apply(places, firms), actor)


def _kept_circles(firms: set[int]) -> set[int]:
    """The firms kept in the circles any of ``firms`` is in, in one read (none: they are in none)."""
    member = GuaranteeCircleMember
    theirs = select(member.circle_id).where(member.customer_id.in_(firms))
    return set(db.session.scalars(select(member.customer_id).where(member.circle_id.in_(theirs))))


def _queue_scan() -> None:
    """Queue the whole scan, unless one is queued and not yet sent."""
    waiting = select(QueuedJob.id).where(QueuedJob.task == dispatch.KEEP_CIRCLES, QueuedJob.sent_at.is_(None))
    if db.session.scalar(waiting.limit(1)) is None:
        dispatch.enqueue(dispatch.KEEP_CIRCLES)


def guarantee_added(guarantor_id: int, borrower_id: int, actor: User | None) -> None:
    """Keep the circle a new guarantee may close, in the register's transaction. It closes one exactly when the
    borrower reaches the guarantor through guarantees in force; the circle then holds the firms on those paths and
    the circles they were in (read forward from the borrower, then back from the guarantor within what was read,
    up to ``PART_LIMIT`` firms: a larger reach is left to the whole scan, queued)."""
    _serialize()
    ahead, whole = circles.reach({borrower_id}, forward=True, limit=PART_LIMIT)
    if not whole:
        _queue_scan()
        return
    if guarantor_id not in ahead:
        return  # no path back: the guarantee closes no circle (most do not)
    on_paths, _whole = circles.reach({guarantor_id}, forward=False, within=ahead)
    firms = set(on_paths) | {guarantor_id, borrower_id}
    firms |= _kept_circles(firms)
    _keep(firms, actor)


def guarantee_removed(guarantor_id: int, borrower_id: int, actor: User | None) -> None:
    """Keep what is left of the circle a released guarantee was in, in the release's transaction: only a circle
    holding both its firms can change, and what is left of it lies within it."""
    _serialize()
    members = _kept_circles({guarantor_id})
    if borrower_id in members:
        _keep(members, actor)


def refresh_book(actor: User | None = None) -> GuaranteeNetworkScan:
    """Scan the whole network: keep every firm's circle and record the scan with its long chains; committed.
    The scans kept are the latest ``SCANS_KEPT``."""
    _serialize()
    started = time.perf_counter()
    network = circles.active_network()
    labels = graph.components(network)
    found = graph.circles_in(network, labels)
    longest = circles.policy_length()
    condensed = graph.condense(network, labels) if network.size else None  # counted once, for both reads
    chains = graph.chains_in(network, longest, CHAINS_KEPT, condensed=condensed)
    places = places_in(found)
    changes = _apply(places, None)
    _audit(changes, actor)
    on_chains = chains_kept.keep(graph.on_long_chains(network, longest, condensed))
    joined, left = len(changes.joined), len(changes.left)
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
    old = select(GuaranteeNetworkScan.id).order_by(GuaranteeNetworkScan.id.desc()).offset(SCANS_KEPT)
    db.session.execute(delete(GuaranteeNetworkScan).where(GuaranteeNetworkScan.id.in_(old.scalar_subquery())))
    audit.record(
        "guarantee.network_scanned",
        actor,
        scan_id=scan.id,
        circles=scan.circles,
        members=scan.members,
        joined=joined,
        left=left,
        chains=len(chains),
        on_long_chains=on_chains.on,
        joined_long_chains=on_chains.joined,
        left_long_chains=on_chains.left,
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
    """A risk manager asks for a scan of the whole book now (queued, as the beat's; one waiting at a time, however
    often the button is pressed)."""
    circles.check_scanner(user)
    _queue_scan()
    audit.record("guarantee.network_scan_requested", user)
    db.session.commit()


def circle_around(customer_id: int) -> graph.Circle | None:
    """The kept circle ``customer_id`` is in, if any (its page)."""
    place = place_of(customer_id)
    if place is None:
        return None
    return graph.Circle(tuple(m.customer_id for m in members_of(place.circle_id)), place.amount)
