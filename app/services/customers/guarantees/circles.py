"""Guarantee circles (担保圈) and long guarantee chains (担保链) over the whole book.

The guarantees in force (active, not past their end date) form a directed graph, guarantor → borrower (networkx ``DiGraph``; several guarantees
between one pair are one edge carrying their sum). A **circle** is a strongly connected component of two or
more firms: each one guarantees, through the others, its own guarantors, so one default can pull them all
down. Two firms are a mutual guarantee (互保), three or more a circular one (联保). Circles are found with
``nx.strongly_connected_components`` (linear in the graph), never by listing simple cycles, whose number grows
exponentially with the book.

A **long chain**: with each circle collapsed to one step (the condensation, a DAG), a path with more steps than
``rules/guarantee_network.dmn`` accepts (``max_chain_length``); every firm on one is on a listed chain (the
longest through it), found in two passes over the DAG in topological order. A step is a firm or a whole circle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import networkx as nx
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.engine.dmn import decision_in_force
from app.errors import NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Guarantee, User
from app.models.customers.guarantee import in_force

POLICY_FILE, POLICY = "guarantee_network.dmn", "guarantee_chain_policy"
READERS = {"risk_manager", "compliance", "approver"}
SCANNERS = {"risk_manager"}  # who may ask for a scan of the whole book now


@dataclass(frozen=True)
class Circle:
    members: tuple[int, ...]  # customer ids, ascending
    amount: Decimal  # the guarantees among the members, in CNY

    @property
    def kind(self) -> str:
        return "mutual" if len(self.members) == 2 else "circular"


@dataclass(frozen=True)
class Chain:
    steps: tuple[tuple[int, ...], ...]  # from the first guarantor to the last borrower; a circle is one step


@dataclass
class Findings:
    circles: list[Circle]
    chains: list[Chain]
    max_chain_length: int
    names: dict[int, str] = field(default_factory=dict)  # every customer named in a circle or a chain
    scanned_at: datetime | None = None  # when the whole book was last scanned (kept findings)


def policy_length() -> int:
    """The longest chain accepted, in steps, from the table in force."""
    table = decision_in_force(Path(current_app.config["RULES_DIR"]) / POLICY_FILE, POLICY)
    return int(table.evaluate({"scope": "book"}).single_output["max_chain_length"])


def graph_of(edges: Iterable[tuple[int, int, Decimal]]) -> nx.DiGraph:
    """guarantor → borrower, the amounts of one pair summed on its edge."""
    graph = nx.DiGraph()
    for guarantor, borrower, amount in edges:
        if graph.has_edge(guarantor, borrower):
            graph[guarantor][borrower]["amount"] += amount
        else:
            graph.add_edge(guarantor, borrower, amount=amount)
    return graph


def circles_in(graph: nx.DiGraph) -> list[Circle]:
    """The circles, the largest first."""
    found = []
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1:
            inner = graph.subgraph(component)
            total = sum((d["amount"] for _u, _v, d in inner.edges(data=True)), Decimal(0))
            found.append(Circle(tuple(sorted(component)), total))
    return sorted(found, key=lambda c: (-len(c.members), -c.amount, c.members))


def chains_in(graph: nx.DiGraph, longest_accepted: int) -> list[Chain]:
    """The chains longer than ``longest_accepted`` steps, longest first: every firm on such a chain is on a
    listed one (for each such firm not listed yet, in topological order, the longest chain through it), so two
    long branches of one part are both listed, not only the part's longest path."""
    dag = nx.condensation(graph)  # one node per strongly connected component, its firms in "members"
    order = list(nx.topological_sort(dag))
    # the steps of the longest chain ending at (before) and starting from (after) each node, and its neighbour
    before: dict[int, tuple[int, int | None]] = {}
    for node in order:
        steps, previous = max(((before[p][0], p) for p in dag.predecessors(node)), default=(0, None))
        before[node] = (steps + 1, previous)
    after: dict[int, tuple[int, int | None]] = {}
    for node in reversed(order):
        steps, following = max(((after[s][0], s) for s in dag.successors(node)), default=(0, None))
        after[node] = (steps + 1, following)
    listed: set[int] = set()
    chains = []
    for node in order:
        if node in listed or before[node][0] + after[node][0] - 1 <= longest_accepted:
            continue
        path, step = [node], before[node][1]
        while step is not None:
            path.append(step)
            step = before[step][1]
        path.reverse()
        step = after[node][1]
        while step is not None:
            path.append(step)
            step = after[step][1]
        listed.update(path)
        chains.append(Chain(tuple(tuple(sorted(dag.nodes[n]["members"])) for n in path)))
    return sorted(chains, key=lambda c: (-len(c.steps), c.steps))


def active_edges() -> list[tuple[int, int, Decimal]]:
    rows = db.session.execute(
        select(Guarantee.guarantor_id, Guarantee.customer_id, func.sum(Guarantee.amount))
        .where(in_force(local_today()))
        .group_by(Guarantee.guarantor_id, Guarantee.customer_id)
    )
    return [(g, b, Decimal(a)) for g, b, a in rows]


def names_of(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(ids)))
    return {row_id: name for row_id, name in rows}


def findings() -> Findings:
    """The circles and long chains of the whole book, with the names of the firms in them."""
    graph = graph_of(active_edges())
    longest = policy_length()
    found = Findings(circles_in(graph), chains_in(graph, longest), longest)
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


def circle_of(customer_id: int, limit: int = 5000) -> Circle | None:
    """The circle ``customer_id`` is in, if any: found in its weakly connected part of the book, read hop by
    hop from the customer (a circle lies within that part), up to about ``limit`` firms."""
    if not _gives_and_receives(customer_id):
        return None  # a firm in a circle both guarantees and is guaranteed: most customers are neither
    edges, _firms, _whole = part_around({customer_id}, limit)
    return next((c for c in circles_in(graph_of(edges)) if customer_id in c.members), None)


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
