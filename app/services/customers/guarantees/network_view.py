"""A customer's guarantee network drawn on its page (担保关系图): the firms within ``HOPS`` guarantees in force of it
either way, its guarantors to the left and the firms it guarantees to the right, laid out in columns by how many
guarantees away they stand, with the customer's circle and the firms on a long chain marked.

The drawing is data for the template's SVG (positions, paths, classes); the tables beside it stay the record. It is
read hop by hop from the guarantee indexes (one read a hop and way, each of at most ``READ_LIMIT`` firms), so a page
costs the same whatever the book's size and however many firms a guarantee company or a group's parent stands
behind; it shows at most ``MAX_FIRMS``, the nearest first, its guarantors and the firms it guarantees in turn, and
says how many it leaves out (or that there are more than it read).

An arrow between neighbouring columns is a curve across the gap between them; any other (a guarantee within one
column, back against the columns as in a circle, or across a column) is routed where no box stands: within a
column round its right side, else down the gap beside its guarantor, along a lane under every row, and up the gap
beside its borrower — so an arrow never passes behind a box it does not join.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Guarantee
from app.models.customers.guarantee import in_force
from app.services.customers.guarantees import chains_kept, circles
from app.services.shared.nullsafe import outside

HOPS = 2
MAX_FIRMS = 30
READ_LIMIT = 4 * MAX_FIRMS  # firms read a hop and way: beyond it the drawing says "more than"
BOX_WIDTH, BOX_HEIGHT = 150, 34
COLUMN, ROW, MARGIN = 200, 50, 28
LANE = 7  # between the lanes under the rows
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
    reached: int  # firms within HOPS, the customer included (as far as they were read)
    capped: bool = False  # a hop held more than READ_LIMIT firms: there are more than ``reached``
    hops: int = HOPS
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT

    @property
    def left_out(self) -> int:
        return self.reached - len(self.nodes)


def _distances(customer_id: int) -> tuple[dict[int, int], bool]:
    """Each firm within HOPS guarantees of the customer: negative, its guarantors (−1 its own, −2 theirs);
    positive, the firms it guarantees; the nearer way wins, the guarantors' on a tie. And whether a hop held more
    firms than were read (READ_LIMIT): that side is then read no further."""
    today = local_today()
    found: dict[int, int] = {customer_id: 0}
    capped = False
    ways = (
        (-1, Guarantee.customer_id, Guarantee.guarantor_id),
        (1, Guarantee.guarantor_id, Guarantee.customer_id),
    )
    for sign, ahead, behind in ways:
        seen, frontier = {customer_id}, {customer_id}
        for hop in range(1, HOPS + 1):
            query = (
                select(behind).where(in_force(today), ahead.in_(frontier), outside(behind, seen)).distinct()
            )
            rows = list(db.session.scalars(query.order_by(behind).limit(READ_LIMIT + 1)))
            frontier = set(rows[:READ_LIMIT])
            seen |= frontier
            for firm in frontier:
                if firm not in found or abs(found[firm]) > hop:
                    found[firm] = sign * hop
            if len(rows) > READ_LIMIT:  # a hub: its own neighbours fill the drawing
                capped = True
                break
    return found, capped


def _nearest(found: dict[int, int]) -> dict[int, int]:
    """At most MAX_FIRMS of ``found``: the customer, then by distance, its guarantors' side and its borrowers'
    in turn (by id within a side), so a firm standing behind a thousand borrowers still shows its guarantors."""
    ranked: list[tuple[int, int, int]] = []
    for distance in sorted({abs(d) for d in found.values()}):
        sides = [
            sorted(f for f, d in found.items() if d == side * distance)
            for side in ((-1, 1) if distance else (0,))
        ]
        for side in sides:
            ranked += [(distance, place, firm) for place, firm in enumerate(side)]
    kept = [firm for _distance, _place, firm in sorted(ranked)][:MAX_FIRMS]
    return {firm: found[firm] for firm in kept}


def _label(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def _path(a: Node, b: Node, lane: int) -> str:
    """The arrow from the guarantor's box to the borrower's (``lane``: the y of its lane, when it takes one)."""
    mid_a, mid_b = a.y + BOX_HEIGHT // 2, b.y + BOX_HEIGHT // 2
    right_a = a.x + BOX_WIDTH
    if b.x - a.x == COLUMN:  # neighbouring columns: a curve across the gap
        middle = (right_a + b.x) // 2
        return f"M{right_a},{mid_a} C{middle},{mid_a} {middle},{mid_b} {b.x - 2},{mid_b}"
    if b.x == a.x:  # one column: round its right side
        out = right_a + 36
        return f"M{right_a},{mid_a} C{out},{mid_a} {out},{mid_b} {right_a + 2},{mid_b}"
    gap_a, gap_b = right_a + 12, b.x - 12
    return f"M{right_a},{mid_a} H{gap_a} V{lane} H{gap_b} V{mid_b} H{b.x - 2}"


def _routed(a: Node, b: Node) -> bool:
    """Whether the arrow takes a lane under the rows."""
    return b.x - a.x not in (COLUMN, 0)


def drawing_of(customer_id: int, circle_members: tuple[int, ...] = ()) -> Drawing | None:
    """The drawing of the customer's guarantee network, or None when it gives and holds no guarantee in force."""
    found, capped = _distances(customer_id)
    if len(found) == 1:
        return None
    shown = _nearest(found)
    firms = set(shown)
    names = circles.names_of(firms)
    chains = chains_kept.steps_of(firms)
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
    summed: dict[tuple[int, int], Decimal] = {}  # the guarantees between one pair, one arrow
    for guarantor, borrower, amount in circles.edges_among(firms):
        summed[(guarantor, borrower)] = summed.get((guarantor, borrower), Decimal(0)) + amount
    under = MARGIN + rows * ROW  # the first lane, below the last row's boxes
    edges: list[Edge] = []
    lanes = 0
    for (g, b), amount in sorted(summed.items()):
        routed = _routed(nodes[g], nodes[b])
        edges.append(
            Edge(
                guarantor=nodes[g].name,
                borrower=nodes[b].name,
                amount=amount,
                path=_path(nodes[g], nodes[b], under + lanes * LANE),
                in_circle=g in circle and b in circle,
            )
        )
        lanes += routed
    return Drawing(
        nodes=list(nodes.values()),
        edges=edges,
        width=2 * MARGIN + (last - first) * COLUMN + BOX_WIDTH + 24,  # room for an arc round the last column
        height=under + lanes * LANE + MARGIN // 2,
        reached=len(found),
        capped=capped,
    )
