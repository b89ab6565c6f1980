"""Post-loan inspection visits (贷后检查): one row per inspection of a customer, from the day it is planned to
its manager's sign-off.

The schedule and the record are one table. The customer's next inspection is its row still ``planned`` (its
``due_on`` is the next inspection date, its ``opens_on`` the day the officer's task opens); the beat opens it
as a ``post_loan_inspection`` case (``open``), the officer's record sends it to the manager (``submitted``),
who signs it off (``signed_off``) or returns it (``returned``). Keeping the next date on a row of its own
rather than on ``customer`` lets the database hold the rule "one inspection at a time per customer" across
planned and running ones alike (``ux_inspection_one_open``): two beats, or a beat and an officer starting an
ad hoc one, can never both plan or open one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

KINDS = ("first", "scheduled", "ad_hoc")  # 首次跟踪检查（资金用途核查）, 定期检查, 临时检查
# planned: the next one, not opened yet; open: the officer records the visit; submitted: awaiting the
# manager's sign-off; returned: back with the officer for revision; signed_off: done; cancelled: no longer
# needed (the customer has no live facility left) before it opened.
STATUSES = ("planned", "open", "submitted", "returned", "signed_off", "cancelled")
OPEN_STATUSES = ("planned", "open", "submitted", "returned")
SEVERITIES = ("low", "medium", "high")  # a finding's, worst last (rules/warning_rules.dmn tests these)
_ONE_OPEN = "status IN ('planned', 'open', 'submitted', 'returned')"


class Inspection(Model):
    """One post-loan inspection of a customer (贷后检查), planned, under way or signed off."""

    __tablename__ = "inspection"
    __table_args__ = (
        # one inspection at a time per customer (planned or under way), however many beats run
        Index(
            "ux_inspection_one_open",
            "customer_id",
            unique=True,
            sqlite_where=text(_ONE_OPEN),
            postgresql_where=text(_ONE_OPEN),
        ),
        # the beat opens the planned ones due to open; the list reads them by status and date
        Index("ix_inspection_status_opens", "status", "opens_on"),
        Index("ix_inspection_status_due", "status", "due_on"),
        # a customer's inspections, newest first (its page, the warning rules' latest signed-off visit)
        Index("ix_inspection_customer_signed", "customer_id", "signed_off_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id", ondelete="SET NULL"), unique=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # KINDS
    status: Mapped[str] = mapped_column(String(16), default="planned")  # STATUSES
    # the facility whose drawdown a first inspection traces (资金用途核查), one first inspection per facility
    facility_id: Mapped[int | None] = mapped_column(
        ForeignKey("facility.id", ondelete="SET NULL"), unique=True
    )
    warning_id: Mapped[int | None] = mapped_column(  # an ad hoc one started from this warning
        ForeignKey("early_warning.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str | None] = mapped_column(String(500))  # why an ad hoc one was started
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # who started it by hand
    rule_id: Mapped[str | None] = mapped_column(String(100))  # the frequency rule that set its due date
    opens_on: Mapped[date]  # the day the officer's task opens
    due_on: Mapped[date]  # the day the visit is due; past it, the inspection is overdue and escalates
    opened_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]  # its due date passed before the visit was recorded
    visited_on: Mapped[date | None]
    visited_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # what the officer saw: visit mode, people met, operations, premises, use of funds and whether it matches
    # the purpose, collateral seen and its state, guarantors' condition, the conclusion
    record: Mapped[dict | None] = mapped_column(JsonType)
    findings: Mapped[list | None] = mapped_column(JsonType)  # [{"severity", "area", "text"}]
    worst_severity: Mapped[str | None] = mapped_column(String(8))  # of the findings (None: none found)
    submitted_at: Mapped[datetime | None]
    returned_count: Mapped[int] = mapped_column(default=0, server_default="0")
    return_comment: Mapped[str | None] = mapped_column(Text)  # the manager's, when returned for revision
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    signed_off_at: Mapped[datetime | None]
    sign_off_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer")
    instance = relationship("ProcessInstance")
    facility = relationship("Facility")
    warning = relationship("EarlyWarning")
    visited_by = relationship("User", foreign_keys=[visited_by_id])
    signed_off_by = relationship("User", foreign_keys=[signed_off_by_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])

    def overdue_on(self, today: date) -> bool:
        """Not yet visited (or not yet recorded) and its due date passed."""
        return self.status in ("planned", "open") and self.due_on < today
