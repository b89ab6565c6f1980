"""Monitoring data (贷后监测): what is observed of a customer after a limit is granted, and the files
it was imported from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import JsonType, Model, utcnow

Money = Numeric(18, 2)


class Observation(Model):
    """What was observed of one customer on one date; a figure not observed is NULL."""

    __tablename__ = "observation"
    __table_args__ = (
        # One a day per customer from the bank's own channels (import, screen, API): also the index of "latest
        # per customer". A connector's (``payload_id``) come as their source delivers them, one per event.
        Index(
            "uq_observation_customer_id",
            "customer_id",
            "observed_on",
            unique=True,
            sqlite_where=text("payload_id IS NULL"),
            postgresql_where=text("payload_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"))
    observed_on: Mapped[date]
    utilization_pct: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))  # drawn / limit, in %
    days_past_due: Mapped[int | None]
    overdue_interest: Mapped[Decimal | None] = mapped_column(Money)
    # Court and enforcement records: the bank's channels keep their count on file, a court source the enforcement
    # cases it lists; each series changes on its own (portfolio_inputs._new_enforcement).
    enforcement_records: Mapped[int | None]
    dishonest_debtor: Mapped[
        bool | None
    ]  # on the courts' list of dishonest debtors (失信被执行人) when observed
    tax_arrears: Mapped[Decimal | None] = mapped_column(Money)
    utility_arrears: Mapped[Decimal | None] = mapped_column(Money)
    negative_news: Mapped[bool | None]
    news_note: Mapped[str | None] = mapped_column(String(500))
    collateral_value: Mapped[Decimal | None] = mapped_column(Money)
    external_rating: Mapped[str | None] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))  # import | screen | api | a connector's key (tax, ...)
    payload_id: Mapped[int | None] = mapped_column(ForeignKey("connector_payload.id"), unique=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_import.id", ondelete="SET NULL"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    customer = relationship("Customer")


class MonitoringImport(Model):
    """An uploaded CSV or XLSX file of observations: kept as uploaded, with its progress and every
    rejected row's reasons."""

    __tablename__ = "monitoring_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    total_rows: Mapped[int] = mapped_column(default=0)
    done_rows: Mapped[int] = mapped_column(default=0)
    stored_rows: Mapped[int] = mapped_column(default=0)
    error_rows: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list] = mapped_column(JsonType, default=list)  # [{row, column, reason}], in row order
    # why the whole file could not be read: a kept message (msgid and values, see app.language.Kept)
    failure: Mapped[dict | str | None] = mapped_column(JsonType)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # The lease of the run that holds it: its token and its last sign of life (each stored batch). A run
    # whose heartbeat is stale has no live worker; the watchdog queues the import again (see imports.watch).
    runner: Mapped[str | None] = mapped_column(String(36))
    heartbeat_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)  # runs started: a file that kills every worker stops

    uploaded_by = relationship("User")


class PortfolioCheck(Model):
    """One run of the portfolio check (asked for by a risk manager, or the daily beat): its progress while
    it raises warnings customer by customer, and what it did. One runs at a time (``active``)."""

    __tablename__ = "portfolio_check"
    # True while queued or running, NULL after: the database lets one check at a time be going on
    __table_args__ = (Index("ux_portfolio_check_one_active", "active", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    active: Mapped[bool | None]
    customers: Mapped[int] = mapped_column(default=0)  # evaluated
    signals: Mapped[int] = mapped_column(default=0)  # warnings the rules gave, open ones included
    groups_total: Mapped[int] = mapped_column(default=0)  # customers with new warnings
    groups_done: Mapped[int] = mapped_column(default=0)
    raised: Mapped[int] = mapped_column(default=0)  # new warnings
    started: Mapped[list] = mapped_column(JsonType, default=list)  # the escalations it started (instance ids)
    joined: Mapped[list] = mapped_column(JsonType, default=list)  # the open escalations new warnings joined
    # why it stopped: a kept message (msgid and values, see app.language.Kept), or an error's text
    failure: Mapped[dict | str | None] = mapped_column(JsonType)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]  # when a worker took it (last)
    finished_at: Mapped[datetime | None]

    requested_by = relationship("User")


class CustomerCheckQueue(Model):
    """A customer whose observations or statements were just stored, waiting for the warning rules (real-time
    monitoring, ``app.services.monitoring.realtime``): one row per customer, however often it is queued before a
    job takes it, so a burst is checked in few batches. ``claimed_at``: when a job took it (a job that died
    leaves it to be taken again after a while); queued again meanwhile, it is unclaimed and checked again."""

    __tablename__ = "customer_check_queue"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))  # who stored it (last)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_at: Mapped[datetime | None]
