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
            Guarantee.guarantor_id,
            Guarantee.customer_id,
            cast(func.round(func.sum(Guarantee.amount) * 100), BigInteger),
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


def check_reader(user: User) -> None:
    if user.role not in READERS:
        raise NotAuthorized(_("Only risk managers, approvers and compliance read the guarantee circles."))


def check_scanner(user: User) -> None:
    if user.role not in SCANNERS:
        raise NotAuthorized(_("Only risk managers ask for a scan of the guarantee network."))


def reach(
    start: set[int], *, forward: bool, limit: int | None = None, within: set[int] | None = None
) -> tuple[set[int], bool]:
    """The firms ``start`` reaches through guarantees in force — forward, the borrowers they guarantee and theirs;
    backward, their guarantors and theirs — ``start`` included, staying ``within`` a set when given; the last is
    False when more than about ``limit`` firms were reached and the reading stopped there."""
    ahead, behind = (
        (Guarantee.guarantor_id, Guarantee.customer_id)
        if forward
        else (
            Guarantee.customer_id,
            Guarantee.guarantor_id,
        )
    )
    seen, frontier = set(start), set(start)
    while frontier:
        if limit is not None and len(seen) > limit:
            return seen, False
        rows = db.session.scalars(
            select(behind).where(in_force(local_today()), ahead.in_(frontier)).distinct()
        )
        reached = {firm for firm in rows if within is None or firm in within}
        frontier = reached - seen
        seen |= reached
    return seen, True


def edges_among(firms: set[int]) -> list[tuple[int, int, Decimal]]:
    """The guarantees in force between the ``firms`` (both guarantor and borrower among them)."""
    rows = db.session.execute(
        select(Guarantee.guarantor_id, Guarantee.customer_id, Guarantee.amount).where(
            in_force(local_today()), Guarantee.guarantor_id.in_(firms), Guarantee.customer_id.in_(firms)
        )
    )
    return [(g, b, Decimal(a)) for g, b, a in rows]
