"""The auditor's search over the audit log (合规审计): by customer, case, user, event type, process and
version, date range and outcome; newest first, paged by id (keyset) so a page costs the same on the
millionth row as on the first; exported as CSV or XLSX. Compliance staff only, read-only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.documents import sheets
from app.errors import NotAuthorized
from app.extensions import db
from app.localtime import local_time, to_utc
from app.models import AuditEvent, Customer, ProcessDefinition, ProcessInstance, User
from app.services.audit.readable import Moment, moments
from app.services.cases import text_search
from app.services.shared.query_args import QueryArgs

AUDITORS = {"compliance"}
PAGE = 50
EXPORT_LIMIT = 200_000  # rows in one export; narrow the search for more
XLSX_LIMIT = 100_000
# Ids follow time but for transactions that overlap: a date range is narrowed by id with this much room
# (so the id order the pages follow stays cheap), and the exact times are still compared.
SLACK = timedelta(hours=1)


def check_auditor(user: User) -> None:
    if user.role not in AUDITORS:
        raise NotAuthorized(_("The audit log is for compliance staff."))


def _unindexed(column):
    """The column compared row by row on the id range already chosen: the planner then walks the id order
    the page needs instead of sorting a whole month found through the time index."""
    return func.coalesce(column, column)


@dataclass(frozen=True)
class AuditFilter:
    customer: str | None = None  # name or credit code, in part
    case: str | None = None  # reference, in part
    user: str | None = None  # user name
    event_type: str | None = None  # exact, or a family ending in "." (task.)
    process: str | None = None
    version: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    outcome: str | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> AuditFilter:
        """From a query string; a value that cannot be read is refused naming its field."""
        read = QueryArgs(args)
        found = cls(
            customer=read.text("customer"),
            case=read.text("case"),
            user=read.text("user"),
            event_type=read.text("event_type"),
            process=read.text("process"),
            version=read.whole("version"),
            date_from=read.day("date_from"),
            date_to=read.day("date_to"),
            outcome=read.text("outcome"),
        )
        read.period_checked(found.date_from, found.date_to)
        read.refuse_if_wrong(_("The search cannot be run."))
        return found

    def as_args(self) -> dict[str, str]:
        return {f.name: str(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name) is not None}

    def apply(self, query):
        if self.customer:
            exact = list(
                db.session.scalars(
                    select(Customer.id).where(
                        or_(Customer.uscc == self.customer, Customer.name == self.customer)
                    )
                )
            )
            query = query.where(
                AuditEvent.customer_id.in_(exact)
                if exact
                else AuditEvent.customer_id.in_(
                    select(Customer.id).where(text_search.customer_filter(self.customer))
                )
            )
        if self.case:
            exact = db.session.scalar(
                select(ProcessInstance.id).where(ProcessInstance.reference == self.case)
            )
            query = (
                query.where(AuditEvent.instance_id == exact)
                if exact is not None
                else query.where(
                    AuditEvent.instance_id.in_(
                        select(ProcessInstance.id).where(text_search.case_filter(self.case, ("reference",)))
                    )
                )
            )
        if self.user:
            query = query.where(AuditEvent.actor_name == self.user)
        if self.event_type:
            query = query.where(
                AuditEvent.event_type.startswith(self.event_type)
                if self.event_type.endswith(".")
                else AuditEvent.event_type == self.event_type
            )
        if self.process or self.version is not None or self.outcome:
            cases = select(ProcessInstance.id).join(
                ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id
            )
            if self.process:
                cases = cases.where(ProcessInstance.process_id == self.process)
            if self.version is not None:
                cases = cases.where(ProcessDefinition.version == self.version)
            if self.outcome:
                cases = cases.where(ProcessInstance.outcome == self.outcome)
            query = query.where(AuditEvent.instance_id.in_(cases))
        if self.date_from:
            start = to_utc(datetime.combine(self.date_from, time.min))
            query = query.where(_unindexed(AuditEvent.occurred_at) >= start)
            first = db.session.scalar(
                select(AuditEvent.id)
                .where(AuditEvent.occurred_at >= start - SLACK)
                .order_by(AuditEvent.occurred_at)
                .limit(1)
            )
            query = query.where(AuditEvent.id >= first) if first is not None else query
        if self.date_to:
            end = to_utc(datetime.combine(self.date_to + timedelta(days=1), time.min))
            query = query.where(_unindexed(AuditEvent.occurred_at) < end)
            last = db.session.scalar(
                select(AuditEvent.id)
                .where(AuditEvent.occurred_at < end + SLACK)
                .order_by(AuditEvent.occurred_at.desc())
                .limit(1)
            )
            query = query.where(AuditEvent.id <= last) if last is not None else query
        return query


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditEvent]
    next_before: int | None  # the id to ask for the next (older) page, None at the end
    cases: dict[int, str]  # instance id -> reference, for the rows shown
    customers: dict[int, str]

    @property
    def readable(self) -> dict[int, Moment]:
        """Each row's people, step and submitted fields by name, in the language being rendered."""
        return {m.event.id: m for m in moments(self.rows, get_locale())}


def search(user: User, filters: AuditFilter, before: int | None = None, per_page: int = PAGE) -> AuditPage:
    """One page of events, newest first, older than ``before`` (an id)."""
    check_auditor(user)
    query = filters.apply(select(AuditEvent))
    if before is not None:
        query = query.where(AuditEvent.id < before)
    rows = list(db.session.scalars(query.order_by(AuditEvent.id.desc()).limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return AuditPage(rows, rows[-1].id if more and rows else None, *_names(rows))


def _names(rows: list[AuditEvent]) -> tuple[dict[int, str], dict[int, str]]:
    instance_ids = {r.instance_id for r in rows if r.instance_id}
    customer_ids = {r.customer_id for r in rows if r.customer_id}
    cases = (
        dict(
            db.session.execute(
                select(ProcessInstance.id, ProcessInstance.reference).where(
                    ProcessInstance.id.in_(instance_ids)
                )
            ).all()
        )
        if instance_ids
        else {}
    )
    customers = (
        dict(
            db.session.execute(select(Customer.id, Customer.name).where(Customer.id.in_(customer_ids))).all()
        )
        if customer_ids
        else {}
    )
    return cases, customers


COLUMNS = ("id", "occurred_at", "event_type", "actor", "case", "customer", "payload", "hash")


def rows_for_export(user: User, filters: AuditFilter, limit: int = EXPORT_LIMIT) -> Iterator[list[str]]:
    """The filtered events, oldest first, as rows of text (header first), read in batches."""
    check_auditor(user)
    yield list(COLUMNS)
    last, sent = 0, 0
    while sent < limit:
        batch = list(
            db.session.scalars(
                filters.apply(select(AuditEvent))
                .where(AuditEvent.id > last)
                .order_by(AuditEvent.id)
                .limit(min(5000, limit - sent))
            )
        )
        if not batch:
            return
        cases, customers = _names(batch)
        for row in batch:
            yield [
                str(row.id),
                local_time(row.occurred_at, "%Y-%m-%d %H:%M:%S"),
                row.event_type,
                row.actor_name,
                cases.get(row.instance_id, ""),
                customers.get(row.customer_id, ""),
                json.dumps(row.payload, ensure_ascii=False, sort_keys=True),
                row.hash,
            ]
        last, sent = batch[-1].id, sent + len(batch)
        db.session.expunge_all()


def export_csv(user: User, filters: AuditFilter) -> bytes:
    return sheets.csv_bytes(rows_for_export(user, filters))


def export_xlsx(user: User, filters: AuditFilter) -> bytes:
    return sheets.xlsx_bytes("audit", rows_for_export(user, filters, XLSX_LIMIT))
