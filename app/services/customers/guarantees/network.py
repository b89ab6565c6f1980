"""A customer's guarantee network, one hop each way: who guarantees it (its guarantors) and whom it
guarantees, with the circle it is in, for its page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.localtime import local_today
from app.models import Guarantee, User
from app.services.customers.guarantees import chains_kept, circles_kept, graph, network_view
from app.services.customers.master import customers


@dataclass(frozen=True)
class Network:
    received: list[Guarantee]  # guarantees given for the customer: its guarantors (担保人)
    given: list[Guarantee]  # guarantees the customer gives for others (被担保人)
    circle: graph.Circle | None  # the guarantee circle (担保圈) it is in, if any
    today: date  # a guarantee past its end date reads as expired and no longer counts
    # on a guarantee chain longer than the policy: the steps of the longest through it (the last scan)
    chain_steps: int | None = None
    drawing: network_view.Drawing | None = None  # the network within two guarantees, for its page

    @property
    def guaranteed_for_it(self) -> Decimal:
        """The guarantees in force it holds, in CNY."""
        return sum((g.amount for g in self.received if g.state_on(self.today) == "active"), Decimal(0))

    @property
    def guaranteed_by_it(self) -> Decimal:
        """The guarantees in force it gives, in CNY."""
        return sum((g.amount for g in self.given if g.state_on(self.today) == "active"), Decimal(0))


def _guarantees(*where) -> list[Guarantee]:
    return list(
        db.session.scalars(
            select(Guarantee)
            .options(
                joinedload(Guarantee.customer),
                joinedload(Guarantee.guarantor),
                joinedload(Guarantee.facility),
            )
            .where(*where)
            .order_by(Guarantee.status, Guarantee.signed_on.desc(), Guarantee.id.desc())
        )
    )


def network_of(customer_id: int, drawn: bool = False) -> Network:
    """The customer's guarantees both ways (active first, the latest signed first), its circle, the long chain it
    is on and, when ``drawn``, the drawing of its network."""
    circle = circles_kept.circle_around(customer_id)
    chain = chains_kept.place_of(customer_id)
    return Network(
        received=_guarantees(Guarantee.customer_id == customer_id),
        given=_guarantees(Guarantee.guarantor_id == customer_id),
        circle=circle,
        today=local_today(),
        chain_steps=chain.steps if chain else None,
        drawing=network_view.drawing_of(customer_id, circle.members if circle else ()) if drawn else None,
    )


def of_customer(user: User, customer_id: int) -> Network:
    """The network of a customer ``user`` may read."""
    customers.get_customer(user, customer_id)
    return network_of(customer_id)
