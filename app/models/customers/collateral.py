"""The collateral register (押品): what secures a borrower's facilities, what it is worth, and its valuations.

One ``Collateral`` row per item pledged or mortgaged for a borrower's credit (抵押物, 质押物): its kind, owner (the
borrower or a third party), certificate (权证号), appraised value and date, the haircut the policy table gives its
kind (``rules/collateral_haircut.dmn``) with the rule that gave it, its insurance, and when it is next revalued
(``rules/collateral_revaluation.dmn``). ``CollateralLink`` says which live facilities of the borrower it secures
and for what share of its value (the shares of one item sum to at most 100%). ``CollateralValuation`` keeps every
valuation: the first one recorded with the item, then one per revaluation process, with its report.

A released item is kept (``status = 'released'``): its history and the audit trail still name it.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow

KINDS = ("real_estate", "equipment", "receivables", "deposit", "equity", "inventory", "vehicle", "other")
STATUSES = ("active", "released")
Money = Numeric(18, 2)
Fraction = Numeric(5, 4)  # a haircut: 0.3000 is 30%


class Collateral(Model):
    """An item securing ``customer``'s credit, worth ``appraised_value`` (CNY) before its haircut."""

    __tablename__ = "collateral"
    # The customer's page reads its items by customer; the revaluation schedule reads the active items by their
    # next date, the book's list also by their insurance's expiry: never a scan of the released ones.
    __table_args__ = (
        Index("ix_collateral_customer_status", "customer_id", "status"),
        Index("ix_collateral_status_revaluation", "status", "next_revaluation_on"),
        Index("ix_collateral_status_insurance", "status", "insurance_expires_on"),
        CheckConstraint("appraised_value > 0", name="ck_collateral_value_positive"),
        CheckConstraint("haircut >= 0 AND haircut <= 1", name="ck_collateral_haircut"),
        CheckConstraint(
            "insured_amount IS NULL OR insured_amount > 0", name="ck_collateral_insured_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))  # the borrower
    owner_name: Mapped[str] = mapped_column(String(200))  # 抵押人/出质人: the borrower or a third party
    kind: Mapped[str] = mapped_column(String(16))  # KINDS
    description: Mapped[str] = mapped_column(String(500))
    certificate_no: Mapped[str | None] = mapped_column(String(100))  # 权证号
    appraised_value: Mapped[Decimal] = mapped_column(Money)
    appraised_on: Mapped[date]
    appraiser: Mapped[str] = mapped_column(String(200))
    haircut: Mapped[Decimal] = mapped_column(Fraction)  # 折扣率, from rules/collateral_haircut.dmn
    haircut_rule: Mapped[str] = mapped_column(String(100))  # the table's rule that gave it
    insured_amount: Mapped[Decimal | None] = mapped_column(Money)
    insurer: Mapped[str | None] = mapped_column(String(200))
    insurance_expires_on: Mapped[date | None]
    next_revaluation_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="active")  # STATUSES
    # The revaluation running for it, claimed when it starts (set only where empty, or where the case it names
    # no longer runs): two schedulers never start two for one item.
    revaluation_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), unique=True
    )
    # The Beijing date of the last change that moves what it secures (recorded, revalued, linked, released): the
    # date a shortfall warning rests on, so a warning is raised again only from new figures.
    changed_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    released_at: Mapped[datetime | None]

    customer = relationship("Customer")
    revaluation_case = relationship("ProcessInstance")
    created_by = relationship("User", foreign_keys=[created_by_id])
    released_by = relationship("User", foreign_keys=[released_by_id])
    links: Mapped[list[CollateralLink]] = relationship(
        back_populates="collateral", order_by="CollateralLink.facility_id", cascade="all, delete-orphan"
    )

    @property
    def value_after_haircut(self) -> Decimal:
        """What the item counts for: its appraised value less its haircut (CNY)."""
        return (self.appraised_value * (1 - self.haircut)).quantize(Decimal("0.01"))

    @property
    def shares_total(self) -> Decimal:
        """The shares of its value pledged to facilities, in percent (at most 100)."""
        return sum((link.share for link in self.links), Decimal(0))


class CollateralLink(Model):
    """``collateral`` secures ``facility`` for ``share`` percent of its value after the haircut."""

    __tablename__ = "collateral_link"
    __table_args__ = (
        UniqueConstraint("collateral_id", "facility_id", name="uq_collateral_link"),
        Index("ix_collateral_link_facility", "facility_id"),
        CheckConstraint("share > 0 AND share <= 100", name="ck_collateral_link_share"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"))
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"))
    share: Mapped[Decimal] = mapped_column(Numeric(5, 2))  # percent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    collateral: Mapped[Collateral] = relationship(back_populates="links")
    facility = relationship("Facility")


class CollateralValuation(Model):
    """One valuation of an item (估值): the first with the item, then one per revaluation, with its report."""

    __tablename__ = "collateral_valuation"
    __table_args__ = (Index("ix_collateral_valuation_item", "collateral_id", "valued_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collateral_id: Mapped[int] = mapped_column(ForeignKey("collateral.id", ondelete="CASCADE"))
    value: Mapped[Decimal] = mapped_column(Money)
    valued_on: Mapped[date]
    appraiser: Mapped[str] = mapped_column(String(200))
    haircut: Mapped[Decimal] = mapped_column(Fraction)
    haircut_rule: Mapped[str] = mapped_column(String(100))
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("attachment.id", ondelete="SET NULL")
    )  # 评估报告
    note: Mapped[str | None] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    report = relationship("Attachment")
    instance = relationship("ProcessInstance")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    confirmed_by = relationship("User", foreign_keys=[confirmed_by_id])
