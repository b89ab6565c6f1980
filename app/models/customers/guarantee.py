"""Who guarantees whom (担保): one row per guarantee a guarantor gives for a borrower's credit.

A guarantor firm is registered as a customer of its own, so the register is a graph over customers
(guarantor → borrower) in which ``services.customers.guarantees.circles`` finds guarantee circles (担保圈).
A released guarantee is kept (``status = 'released'``): the audit trail and the history still name it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ColumnElement, ForeignKey, Index, Numeric, String, and_, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow

KINDS = ("guarantee", "mortgage", "pledge")  # 保证, 抵押, 质押
STATUSES = ("active", "released")  # stored; "expired" is read: active, its end date passed


class Guarantee(Model):
    """``guarantor`` guarantees ``amount`` (CNY) of ``customer``'s credit, for one facility or in general."""

    __tablename__ = "guarantee"
    # Both directions are read by customer with the status: whom a firm guarantees, and who guarantees it.
    __table_args__ = (
        Index("ix_guarantee_guarantor_status", "guarantor_id", "status"),
        Index("ix_guarantee_customer_status", "customer_id", "status"),
        CheckConstraint("guarantor_id <> customer_id", name="ck_guarantee_not_self"),
        CheckConstraint("amount > 0", name="ck_guarantee_amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))  # the borrower
    guarantor_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))  # KINDS
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 2))
    signed_on: Mapped[date]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="active")  # STATUSES
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    released_at: Mapped[datetime | None]

    customer = relationship("Customer", foreign_keys=[customer_id])
    guarantor = relationship("Customer", foreign_keys=[guarantor_id])
    facility = relationship("Facility")

    def state_on(self, today: date) -> str:
        """``active`` (in force), ``expired`` (not released, but its end date has passed) or ``released``."""
        if self.status == "active" and self.ends_on is not None and self.ends_on < today:
            return "expired"
        return self.status


def in_force(today: date) -> ColumnElement[bool]:
    """The guarantees that count in the network on ``today``: active, and not past their end date."""
    return and_(Guarantee.status == "active", or_(Guarantee.ends_on.is_(None), Guarantee.ends_on >= today))
