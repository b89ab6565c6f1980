"""A customer's guarantee network drawn on its page (担保关系图): the firms within ``HOPS`` guarantees in force of it
either way, its guarantors to the left and the firms it guarantees to the right, laid out in columns by how many
guarantees away they stand, with the customer's circle and the firms on a long chain marked.

The drawing is data for the template's SVG (positions, paths, classes); the tables beside it stay the record. It is
read hop by hop from the guarantee indexes (two reads a hop and way), so a page costs the same whatever the book's
size; a firm with more neighbours than ``MAX_FIRMS`` shows the nearest, and says how many it leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Guarantee, GuaranteeChainMember
from app.models.customers.guarantee import in_force

HOPS = 2
MAX_FIRMS = 30
BOX_WIDTH, BOX_HEIGHT = 150, 34
COLUMN, ROW, MARGIN = 200, 50, 16
NAME_CHARS = 11  # a box holds about eleven Chinese characters at the page's size (most firms' names whole)


@dataclass(frozen=True)
class Node:
    customer_id: int
    name: str
    label: str  # the name, cut to fit its box
    x: int
    y: int
    is_self: bool
    in_circle: bool  # in the customer's own circle
    chain_steps: int | None  # on a long chain, the steps of the longest through it


@dataclass(frozen=True)
class Edge:
    guarantor: str
    borrower: str
    amount: Decimal
    path: str  # SVG path data, from the guarantor's box to the borrower's
    in_circle: bool


@dataclass(frozen=True)
class Drawing:
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int
    reached: int  # firms within HOPS, the customer included
    hops: int = HOPS
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT

    @property
    def left_out(self) -> int:
        return self.reached - len(self.nodes)


def _distances(customer_id: int) -> dict[int, int]:
    """Each firm within HOPS guarantees of the customer: negative, its guarantors (−1 its own, −2 theirs);
    positive, the firms it guarantees; the nearer way wins, the guarantors' on a tie."""
    today = local_today()
    found: dict[int, int] = {customer_id: 0}
    ways = (
        (-1, Guarantee.customer_id, Guarantee.guarantor_id),
        (1, Guarantee.guarantor_id, Guarantee.customer_id),
    )
    for sign, ahead, behind in ways:
        seen, frontier = {customer_id}, {customer_id}
        for hop in range(1, HOPS + 1):
            rows = db.session.scalars(select(behind).where(in_force(today), ahead.in_(frontier)).distinct())
            frontier = set(rows) - seen
            seen |= frontier
            for firm in frontier:
                if firm not in found or abs(found[firm]) > hop:
                    found[firm] = sign * hop
            if (
                len(frontier) > MAX_FIRMS
            ):  # a hub: its own neighbours fill the drawing, the next hop is not read
                break
    return found


def _nearest(found: dict[int, int]) -> dict[int, int]:
    """At most MAX_FIRMS of ``found``, the nearest first (by id within a distance)."""
    kept = sorted(found, key=lambda firm: (abs(found[firm]), firm))[:MAX_FIRMS]
    return {firm: found[firm] for firm in kept}


def _label(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _path(a: Node, b: Node) -> str:
    """From the guarantor's box to the borrower's: straight when the borrower stands to the right, else a curve
    below both boxes (a guarantee back against the columns, as in a circle)."""
    if b.x > a.x:
        x1, y1, x2, y2 = a.x + BOX_WIDTH, a.y + BOX_HEIGHT // 2, b.x, b.y + BOX_HEIGHT // 2
        middle = (x1 + x2) // 2
        return f"M{x1},{y1} C{middle},{y1} {middle},{y2} {x2 - 2},{y2}"
    x1, y1 = a.x + BOX_WIDTH // 2, a.y + BOX_HEIGHT
    x2, y2 = b.x + BOX_WIDTH // 2, b.y + BOX_HEIGHT
    low = max(y1, y2) + ROW // 2
    return f"M{x1},{y1} C{x1},{low} {x2},{low} {x2},{y2 + 2}"


def drawing_of(customer_id: int, circle_members: tuple[int, ...] = ()) -> Drawing | None:
    """The drawing of the customer's guarantee network, or None when it gives and holds no guarantee in force."""
    found = _distances(customer_id)
    if len(found) == 1:
        return None
    shown = _nearest(found)
    firms = set(shown)
    named = select(Customer.id, Customer.name).where(Customer.id.in_(firms))
    names: dict[int, str] = {firm: name for firm, name in db.session.execute(named)}
    on_chains = select(GuaranteeChainMember.customer_id, GuaranteeChainMember.steps)
    chains: dict[int, int] = {
        firm: steps
        for firm, steps in db.session.execute(on_chains.where(GuaranteeChainMember.customer_id.in_(firms)))
    }
    columns: dict[int, list[int]] = {}
    for firm in sorted(shown, key=lambda f: (names.get(f, ""), f)):
        columns.setdefault(shown[firm], []).append(firm)
    rows = max(len(column) for column in columns.values())
    first, last = min(columns), max(columns)  # the columns drawn: none empty at either side
    circle = set(circle_members)
    nodes: dict[int, Node] = {}
    for distance, column in columns.items():
        top = MARGIN + (rows - len(column)) * ROW // 2  # each column centred on the tallest
        for place, firm in enumerate(column):
            nodes[firm] = Node(
                customer_id=firm,
                name=names.get(firm, str(firm)),
                label=_label(names.get(firm, str(firm))),
                x=MARGIN + (distance - first) * COLUMN,
                y=top + place * ROW,
                is_self=firm == customer_id,
                in_circle=firm in circle,
                chain_steps=chains.get(firm),
            )
    pairs = db.session.execute(
        select(Guarantee.guarantor_id, Guarantee.customer_id, Guarantee.amount).where(
            in_force(local_today()), Guarantee.guarantor_id.in_(firms), Guarantee.customer_id.in_(firms)
        )
    ).all()
    summed: dict[tuple[int, int], Decimal] = {}
    for guarantor, borrower, amount in pairs:
        summed[(guarantor, borrower)] = summed.get((guarantor, borrower), Decimal(0)) + Decimal(amount)
    edges = [
        Edge(
            guarantor=nodes[g].name,
            borrower=nodes[b].name,
            amount=amount,
            path=_path(nodes[g], nodes[b]),
            in_circle=g in circle and b in circle,
        )
        for (g, b), amount in sorted(summed.items())
    ]
    return Drawing(
        nodes=list(nodes.values()),
        edges=edges,
        width=2 * MARGIN + (last - first) * COLUMN + BOX_WIDTH,
        height=2 * MARGIN + rows * ROW + ROW // 2,
        reached=len(found),
    )
