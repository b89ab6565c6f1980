"""Credit customers, their financial statements and facilities."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

Money = Numeric(18, 2)
# A facility that still exposes the bank (its limit counts in exposure, its customer is watched and reviewed).
LIVE_FACILITY_STATUSES = ("active", "frozen")


class Customer(Model):
    __tablename__ = "customer"
    # "My customers": an officer's book, a page by name without a sort of the whole book; on PostgreSQL it
    # carries what the filters and the totals read, so an officer's book is counted from the index alone.
    __table_args__ = (
        Index(
            "ix_customer_officer_name",
            "officer_id",
            "name",
            postgresql_include=["id", "loan_class", "grade", "industry", "next_review_on", "live_limit"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    industry: Mapped[str] = mapped_column(String(32))
    size: Mapped[str] = mapped_column(String(16))
    credit_record: Mapped[str] = mapped_column(String(32))
    listed: Mapped[bool] = mapped_column(default=False)
    segment: Mapped[str | None] = mapped_column(String(32))
    grade: Mapped[str | None] = mapped_column(String(8))
    group_name: Mapped[str | None] = mapped_column(String(200), index=True)  # connected group (统一授信)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # 五级分类: normal | special_mention | substandard | doubtful | loss (None: not classified yet)
    loan_class: Mapped[str | None] = mapped_column(String(16))
    watchlist: Mapped[bool] = mapped_column(default=False)  # put on the watchlist by a risk-control action
    next_review_on: Mapped[date | None]  # 定期检查: when the next periodic review falls due
    # The sum of its live facilities' limits, kept by triggers on facility
    # (app/models/customers/live_limit.py).
    live_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal(0), server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    statements: Mapped[list[FinancialStatement]] = relationship(
        back_populates="customer", order_by="FinancialStatement.fiscal_year"
    )
    facilities: Mapped[list[Facility]] = relationship(
        back_populates="customer", order_by="Facility.id.desc()"
    )


class FinancialStatement(Model):
    """One annual statement; line items as a JSON object keyed by ``risk.statements.LINE_ITEMS``."""

    __tablename__ = "financial_statement"
    __table_args__ = (UniqueConstraint("customer_id", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int]
    items: Mapped[dict] = mapped_column(JsonType)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer: Mapped[Customer] = relationship(back_populates="statements")


class Facility(Model):
    """A credit facility (授信额度) decided by a credit application: it starts on the day it is recorded and
    matures ``term_months`` later; a renewal (续授信) is a new application that replaces it when approved."""

    __tablename__ = "facility"
    # The maturing list and the renewal schedule read live facilities by maturity (never a scan of those ended);
    # a customer's live facilities, and on PostgreSQL their maturity, are read from an index alone (the live
    # limit's trigger, and the maturity filter of "my customers" for every customer of a book).
    __table_args__ = (
        Index("ix_facility_status_maturity", "status", "matures_on"),
        Index("ix_facility_live", "customer_id", "status", "limit_amount", postgresql_include=["matures_on"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # active | rejected | frozen | exited | renewed
    limit_amount: Mapped[Decimal] = mapped_column(Money)
    margin_pct: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    term_months: Mapped[int | None]
    grade: Mapped[str | None] = mapped_column(String(8))
    risk_controls: Mapped[str | None] = mapped_column(String(1000))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    start_on: Mapped[date | None]  # the Beijing date it was recorded (None: a rejection, no facility)
    matures_on: Mapped[date | None]  # start_on + term_months (到期日)
    # the facility this one replaces (续授信): set when the renewal is approved, which ends the other
    renews_facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility.id", ondelete="SET NULL"), unique=True
    )
    # the credit application proposed to renew this one: one per facility, ever (claimed when it starts)
    renewal_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), unique=True
    )

    customer: Mapped[Customer] = relationship(back_populates="facilities")
    # the application that decided it (named by its reference)
    instance = relationship("ProcessInstance", foreign_keys=[instance_id])
    renewal_case = relationship("ProcessInstance", foreign_keys=[renewal_case_id])
    renews = relationship("Facility", remote_side=[id], foreign_keys=[renews_facility_id])


class RatingChange(Model):
    """A change of a customer's grade or five-category class, with both before and after: an approved
    application or review, an escalation's classification, or the cap a class puts on the grade."""

    __tablename__ = "customer_rating_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), index=True)
    # a step that recorded a default is found by its case (the case library's trigger, ``case_library.start``)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))  # application | review | escalation: what recorded it
    grade_before: Mapped[str | None] = mapped_column(String(8))
    grade_after: Mapped[str | None] = mapped_column(String(8))
    class_before: Mapped[str | None] = mapped_column(String(16))
    class_after: Mapped[str | None] = mapped_column(String(16))
    capped_from: Mapped[str | None] = mapped_column(String(8))  # the grade found, when its class capped it
    rule_id: Mapped[str | None] = mapped_column(String(100))  # the cap table's rule that did
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    instance = relationship("ProcessInstance")
    changed_by = relationship("User")


class CustomerOfficerChange(Model):
    """One change of a customer's relationship officer (客户移交): who had it, who has it now, why, and the
    manager who moved it. The customer's page shows them newest first."""

    __tablename__ = "customer_officer_change"
    __table_args__ = (Index("ix_customer_officer_change_customer", "customer_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    officer_before_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    officer_after_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(String(500))
    tasks_moved: Mapped[int] = mapped_column(default=0)  # open tasks of the former officer that went along
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    officer_before = relationship("User", foreign_keys=[officer_before_id])
    officer_after = relationship("User", foreign_keys=[officer_after_id])
    changed_by = relationship("User", foreign_keys=[changed_by_id])
