"""Reading post-loan inspections for people: a customer's (its page's section and the API), and the managers'
list of the book's (``/inspections``: overdue, due soon, awaiting sign-off, recent findings). Each read is one
query by an index (the customer's id; the status with the due date), never a walk over cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, EarlyWarning, Inspection, User
from app.models.customers.inspection import OPEN_STATUSES
from app.services.customers.inspections import ad_hoc, rights
from app.services.customers.master import customers
from app.services.customers.relationship.relationship_rights import staff_of

KIND_TITLES = {
    "first": _l("First inspection after drawdown (use-of-funds tracing)"),
    "scheduled": _l("Scheduled inspection"),
    "ad_hoc": _l("Ad hoc inspection"),
}
STATUS_TITLES = {
    "planned": _l("Planned"),
    "open": _l("Visit to record"),
    "submitted": _l("Awaiting sign-off"),
    "returned": _l("Returned for revision"),
    "signed_off": _l("Signed off"),
    "cancelled": _l("Cancelled"),
}
AREA_TITLES = {
    "operations": _l("Operations"),
    "premises": _l("Premises"),
    "use_of_funds": _l("Use of funds"),
    "collateral": _l("Collateral"),
    "guarantors": _l("Guarantors"),
    "financials": _l("Financial condition"),
    "other": _l("Other"),
}
HISTORY = 20  # inspections a customer's page lists
SHOWN = 100  # rows of each section of the list
DUE_SOON_DAYS = 30  # "due soon" on the list: due within this many days
RECENT_DAYS = 90  # "recent findings": signed off within this many days


def _loaded(query: Select) -> Select:
    return query.options(
        selectinload(Inspection.customer),
        selectinload(Inspection.instance),
        selectinload(Inspection.visited_by),
        selectinload(Inspection.signed_off_by),
        selectinload(Inspection.warning),
    )


@dataclass(frozen=True)
class CustomerInspections:
    """A customer's inspections as its page shows them."""

    current: Inspection | None  # planned (the next date) or under way
    last: Inspection | None  # the latest signed off
    history: list[Inspection]  # opened ones, newest first
    today: date
    may_start: bool  # the user may start one ad hoc
    warnings: list[EarlyWarning] = field(default_factory=list)  # its open warnings (to start one from)

    @property
    def overdue(self) -> bool:
        return self.current is not None and self.current.overdue_on(self.today)


def of_customer(user: User, customer: Customer) -> CustomerInspections:
    """The section of the customer's page (the page checked the user reads the customer)."""
    mine = Inspection.customer_id == customer.id
    current = db.session.scalar(_loaded(select(Inspection).where(mine, Inspection.status.in_(OPEN_STATUSES))))
    opened = list(
        db.session.scalars(
            _loaded(
                select(Inspection)
                .where(mine, Inspection.status.not_in(("planned", "cancelled")))
                .order_by(Inspection.opened_at.desc(), Inspection.id.desc())
                .limit(HISTORY)
            )
        )
    )
    signed = [i for i in opened if i.status == "signed_off"]
    last = max(signed, key=lambda i: (i.signed_off_at, i.id)) if signed else None
    may = rights.may_start(user, customer)
    return CustomerInspections(
        current, last, opened, local_today(), may, ad_hoc.open_warnings(customer.id) if may else []
    )


def for_api(user: User, customer_id: int) -> tuple[Customer, CustomerInspections]:
    """A customer's inspections for the API (whoever reads the customer)."""
    customer = customers.get_customer(user, customer_id)
    return customer, of_customer(user, customer)


@dataclass(frozen=True)
class Section:
    rows: list[Inspection]
    total: int


@dataclass(frozen=True)
class InspectionList:
    """The managers' list: what needs them across their part of the book."""

    overdue: Section  # planned or under way, not recorded, past the due date
    due_soon: Section  # planned or under way, due within ``DUE_SOON_DAYS``
    awaiting: Section  # recorded, awaiting sign-off (or returned to the officer for revision)
    findings: Section  # signed off within ``RECENT_DAYS`` with a medium or high finding
    today: date
    scope: str  # branch | bank
    officers: dict[int, str] = field(default_factory=dict)  # the customers' officers' names, by id
    due_soon_days: int = DUE_SOON_DAYS
    recent_days: int = RECENT_DAYS


def _section(where, order) -> Section:
    query = select(Inspection).join(Customer, Customer.id == Inspection.customer_id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = list(db.session.scalars(_loaded(query.order_by(*order).limit(SHOWN))))
    return Section(rows, total)


def listing(user: User, today: date | None = None) -> InspectionList:
    """The list for a branch's approver (its branch's customers) or a risk manager (the whole bank)."""
    rights.check_list(user)
    today = today or local_today()
    staff = staff_of(user)
    scope = [] if staff is None else [Customer.officer_id.in_(staff)]
    not_recorded = Inspection.status.in_(("planned", "open"))
    found = InspectionList(
        overdue=_section(
            [*scope, not_recorded, Inspection.due_on < today], (Inspection.due_on, Inspection.id)
        ),
        due_soon=_section(
            [
                *scope,
                not_recorded,
                Inspection.due_on >= today,
                Inspection.due_on <= today + timedelta(days=DUE_SOON_DAYS),
            ],
            (Inspection.due_on, Inspection.id),
        ),
        awaiting=_section(
            [*scope, Inspection.status.in_(("submitted", "returned"))],
            (Inspection.submitted_at, Inspection.id),
        ),
        findings=_section(
            [
                *scope,
                Inspection.status == "signed_off",
                Inspection.worst_severity.in_(("medium", "high")),
                Inspection.signed_off_at >= _start_of(today - timedelta(days=RECENT_DAYS)),
            ],
            (Inspection.signed_off_at.desc(), Inspection.id.desc()),
        ),
        today=today,
        scope="bank" if staff is None else "branch",
    )
    shown = {
        i.customer.officer_id
        for section in (found.overdue, found.due_soon, found.awaiting, found.findings)
        for i in section.rows
        if i.customer.officer_id is not None
    }
    if shown:
        names = db.session.execute(select(User.id, User.display_name).where(User.id.in_(shown)))
        found.officers.update({user_id: name for user_id, name in names})
    return found


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)
