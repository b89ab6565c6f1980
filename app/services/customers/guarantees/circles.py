"""Guarantee circles (担保圈) and long guarantee chains (担保链) over the book: the guarantees in force read from the
database (active, not past their end date) and handed to ``graph``, which finds them; the policy's longest
accepted chain (``rules/guarantee_network.dmn``, ``max_chain_length``); who reads them; and the part of the book
around some firms, read hop by hop, for a change kept at once (``circles_kept``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import BigInteger, cast, func, select

from app.engine.dmn import decision_in_force
from app.errors import NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Guarantee, User
from app.models.customers.guarantee import in_force
from app.services.customers.guarantees import graph

POLICY_FILE, POLICY = "guarantee_network.dmn", "guarantee_chain_policy"
READERS = {"risk_manager", "compliance", "approver"}
SCANNERS = {"risk_manager"}  # who may ask for a scan of the whole book now


@dataclass
class Findings:
    circles: list[graph.Circle]
    chains: list[graph.Chain]
    max_chain_length: int
    names: dict[int, str] = field(default_factory=dict)  # every customer named in a circle or a chain
    scanned_at: datetime | None = None  # when the whole book was last scanned (kept findings)


def policy_length() -> int:
    """The longest chain accepted, in steps, from the table in force."""
    table = decision_in_force(Path(current_app.config["RULES_DIR"]) / POLICY_FILE, POLICY)
    return int(table.evaluate({"scope": "book"}).single_output["max_chain_length"])


def active_network() -> graph.Network:
    """The guarantees in force of the whole book, one grouped read (amounts summed per pair, in cents)."""
    rows = db.session.execute(
        select(
            Guarantee.guarantor_id, Guarantee.customer_id, cast(func.sum(Guarantee.amount) * 100, BigInteger)
        )
        .where(in_force(local_today()))
        .group_by(Guarantee.guarantor_id, Guarantee.customer_id)
    ).all()
    columns = np.array([tuple(row) for row in rows], dtype=np.int64).reshape(-1, 3)  # from Rows: 30x slower
    return graph.network_of_arrays(columns[:, 0], columns[:, 1], columns[:, 2])


def names_of(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {row_id: name for row_id, name in rows}


def findings() -> Findings:
    """The circles and long chains of the whole book, with the names of the firms in them."""
    network = active_network()
    labels = graph.components(network)
    longest = policy_length()
    found = Findings(
        graph.circles_in(network, labels), graph.chains_in(network, longest, labels=labels), longest
    )
    named = {m for c in found.circles for m in c.members}
    named |= {m for chain in found.chains for step in chain.steps for m in step}
    found.names = names_of(named)
    return found


def check_reader(user: User) -> None:
    if user.role not in READERS:
        raise NotAuthorized(_("Only risk managers, approvers and compliance read the guarantee circles."))


def check_scanner(user: User) -> None:
    if user.role not in SCANNERS:
        raise NotAuthorized(_("Only risk managers ask for a scan of the guarantee network."))


def circle_of(customer_id: int, limit: int = 5000) -> graph.Circle | None:
    """The circle ``customer_id`` is in, if any: found in its weakly connected part of the book, read hop by
    hop from the customer (a circle lies within that part), up to about ``limit`` firms."""
    if not _gives_and_receives(customer_id):
        return None  # a firm in a circle both guarantees and is guaranteed: most customers are neither
    edges, _firms, _whole = part_around({customer_id}, limit)
    return next((c for c in graph.circles_in(graph.network_of(edges)) if customer_id in c.members), None)


def part_around(
    customer_ids: set[int], limit: int = 5000
) -> tuple[list[tuple[int, int, Decimal]], set[int], bool]:
    """The guarantees in force of the weakly connected part of the book holding ``customer_ids`` (every circle
    of theirs lies within it), read hop by hop, and the firms reached; the last is False when the part is
    larger than about ``limit`` firms and was read only so far."""
    seen, frontier = set(customer_ids), set(customer_ids)
    guarantees: dict[int, tuple[int, int, Decimal]] = {}
    while frontier and len(seen) < limit:
        rows = db.session.execute(
            select(Guarantee.id, Guarantee.guarantor_id, Guarantee.customer_id, Guarantee.amount).where(
                in_force(local_today()),
                Guarantee.guarantor_id.in_(frontier) | Guarantee.customer_id.in_(frontier),
            )
        )
        reached: set[int] = set()
        for row_id, guarantor, borrower, amount in rows:
            guarantees[row_id] = (guarantor, borrower, Decimal(amount))
            reached |= {guarantor, borrower}
        frontier = reached - seen
        seen |= reached
    return list(guarantees.values()), seen, not frontier


def _gives_and_receives(customer_id: int) -> bool:
    """``customer_id`` gives a guarantee in force and holds one: two index reads, before any walk."""
    today = local_today()

    def any_where(column) -> bool:
        found = select(Guarantee.id).where(column == customer_id, in_force(today)).limit(1)
        return db.session.scalar(found) is not None

    return any_where(Guarantee.guarantor_id) and any_where(Guarantee.customer_id)
