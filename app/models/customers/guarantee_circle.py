"""The guarantee circles (担保圈) of the book as last found: one row per firm in a circle, and one row per scan
of the whole network with the long chains it found.

The rows are kept by ``services.customers.guarantees.circles_kept``: around the two firms of a guarantee when
it is registered or released (their part of the network, at once), and over the whole book by the beat (a
guarantee also leaves the network when its end date passes). The warning rules and the approval authority
read a firm's membership here with one index read, whatever the size of the book.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Float, ForeignKey, Index, Integer, Numeric
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import JsonType, Model, utcnow


class GuaranteeCircleMember(Model):
    """``customer_id`` is in the circle named by its smallest member's id (``circle_id``) since ``since``."""

    __tablename__ = "guarantee_circle_member"
    __table_args__ = (Index("ix_guarantee_circle_member_circle", "circle_id"),)

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    circle_id: Mapped[int] = mapped_column(Integer)  # the smallest customer id among the members
    size: Mapped[int] = mapped_column(Integer)  # how many firms the circle holds
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))  # the guarantees in force among the members
    since: Mapped[date]  # the day it was first found in a circle (kept while it stays in one)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)  # when its circle was last found changed


class GuaranteeNetworkScan(Model):
    """One scan of the whole guarantee network: what it read, what it found, and how long it took."""

    __tablename__ = "guarantee_network_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    firms: Mapped[int] = mapped_column(Integer)  # firms giving or holding a guarantee in force
    guarantees: Mapped[int] = mapped_column(Integer)  # guarantor → borrower pairs in force
    circles: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    joined: Mapped[int] = mapped_column(Integer)  # firms found in a circle that were in none before
    left: Mapped[int] = mapped_column(Integer)  # firms no longer in any circle
    max_chain_length: Mapped[int] = mapped_column(Integer)  # the policy's, as the scan read it
    chains: Mapped[list] = mapped_column(JsonType, default=list)  # [[[member ids of a step], ...], ...]
    seconds: Mapped[float] = mapped_column(Float)


class GuaranteeChainMember(Model):
    """``customer_id`` is on a guarantee chain (担保链) longer than the policy accepts, the longest through it
    ``steps`` long (a circle one step), since ``since``: kept by each scan of the whole book, for the warning
    rules."""

    __tablename__ = "guarantee_chain_member"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    steps: Mapped[int] = mapped_column(Integer)
    since: Mapped[date]  # the first scan that found it on a long chain (kept while it stays on one)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)  # the scan that last changed its steps
