"""Facilities that mature soon (授信到期), and each facility's dates and renewal state.

``maturing`` is the list of live facilities maturing within 30, 60 or 90 days, and those already matured but
still live, soonest first, with their customer, limit, what is used of it when the latest monitoring
observation says (utilization × limit), maturity, days left and the state of their renewal (续授信): none,
proposed (its intake not yet sent), in progress (with its case), or decided (rejected, withdrawn); with the
count and limits of each band. ``of_customer`` is every facility of one customer with the same facts, for its
page and the API.

Who sees what (the services check it, for the browser and the API alike): an officer the facilities of their
own customers; approvers, risk managers, compliance and administrators every customer's, as they read every
customer (``customers.READERS``); designers none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Facility, HumanTask, Observation, ProcessInstance, User
from app.services.customers.facilities import facility_terms, renewals
from app.services.customers.master import customers
from app.services.monitoring import observations

WITHIN = (30, 60, 90)
BANDS = ("matured", "within_30", "within_60", "within_90")  # matured: past its date and still live
RENEWAL_FILTERS = ("none", "proposed", "in_progress", "decided")
OWN_CUSTOMERS_ONLY = {"officer"}


@dataclass(frozen=True)
class FacilityTerm:
    """One facility with its dates, what is used of it, and its renewal."""

    facility: Facility
    customer: Customer
    days_left: int | None  # negative once matured; None without a maturity
    renewal: ProcessInstance | None  # the case proposed to renew it
    renewal_state: str  # none | proposed | in_progress | approved | rejected | withdrawn
    may_propose: bool = False  # the reader may propose its renewal now
    utilization_pct: Decimal | None = None  # the customer's, from its latest observation
    observed_on: date | None = None

    @property
    def used(self) -> Decimal | None:
        if self.utilization_pct is None:
            return None
        return (self.facility.limit_amount * self.utilization_pct / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Band:
    key: str  # one of BANDS
    count: int
    limit: Decimal


@dataclass(frozen=True)
class MaturingPage:
    rows: list[FacilityTerm]
    bands: list[Band]
    within: int
    renewal: str | None
    page: int
    lead_days: int
    total: int = 0
    today: date = field(default_factory=local_today)


def _check_reader(user: User) -> None:
    if user.role not in customers.READERS:
        raise NotAuthorized(_("Your role may not read customer files."))


def renewal_state(renewal: ProcessInstance | None, worked: bool) -> str:
    """none | proposed (nobody has sent a step of it yet) | in_progress | approved | rejected | withdrawn."""
    if renewal is None:
        return "none"
    if renewal.status == "running":
        return "in_progress" if worked else "proposed"
    if renewal.status == "withdrawn":
        return "withdrawn"
    return "approved" if renewal.outcome == "approved" else "rejected"


def _worked():
    return exists().where(HumanTask.instance_id == Facility.renewal_case_id, HumanTask.state == "completed")


def _conditions(user: User, within: int, renewal: str | None, today: date, case_row) -> list:
    found = [
        Facility.status.in_(facility_terms.LIVE),
        Facility.matures_on.is_not(None),
        Facility.matures_on <= today + timedelta(days=within),
    ]
    if user.role in OWN_CUSTOMERS_ONLY:
        found.append(Customer.officer_id == user.id)
    if renewal == "none":
        found.append(Facility.renewal_case_id.is_(None))
    elif renewal in ("proposed", "in_progress"):
        running = and_(Facility.renewal_case_id.is_not(None), case_row.status == "running")
        found.append(and_(running, _worked() if renewal == "in_progress" else ~_worked()))
    elif renewal == "decided":
        found.append(and_(Facility.renewal_case_id.is_not(None), case_row.status != "running"))
    return found


def check_filters(within: int | None, renewal: str | None) -> tuple[int, str | None]:
    """The list's filters as asked, or a 422 naming the one that cannot be read."""
    within = 90 if within is None else within
    if within not in WITHIN:
        raise InvalidInput(_("The list cannot be filtered so."), {"within": _("30, 60 or 90 days")})
    if renewal is not None and renewal not in RENEWAL_FILTERS:
        raise InvalidInput(
            _("The list cannot be filtered so."),
            {"renewal": _("one of %(keys)s", keys=", ".join(RENEWAL_FILTERS))},
        )
    return within, renewal


def maturing(
    user: User, within: int | None = None, renewal: str | None = None, page: int = 1, per_page: int = 50
) -> MaturingPage:
    """The live facilities maturing within ``within`` days (30, 60 or 90) and those matured but still live that
    ``user`` may see, soonest first, ``renewal`` narrowing them by their renewal's state."""
    _check_reader(user)
    within, renewal = check_filters(within, renewal)
    today = local_today()
    case_row = aliased(ProcessInstance)
    conditions = _conditions(user, within, renewal, today, case_row)

    def scoped(query):
        return (
            query.join(Customer, Customer.id == Facility.customer_id)
            .outerjoin(case_row, case_row.id == Facility.renewal_case_id)
            .where(*conditions)
        )

    band = case(
        (Facility.matures_on < today, "matured"),
        (Facility.matures_on <= today + timedelta(days=30), "within_30"),
        (Facility.matures_on <= today + timedelta(days=60), "within_60"),
        else_="within_90",
    )
    banded = scoped(
        select(band.label("band"), Facility.limit_amount.label("amount")).select_from(Facility)
    ).subquery()
    counted = {
        key: (count, Decimal(str(amount or 0)))
        for key, count, amount in db.session.execute(
            select(banded.c.band, func.count(), func.sum(banded.c.amount)).group_by(banded.c.band)
        )
    }
    shown = BANDS[: 1 + WITHIN.index(within) + 1]
    bands = [Band(key, *counted.get(key, (0, Decimal(0)))) for key in shown]
    rows = db.session.execute(
        scoped(select(Facility, Customer, case_row, _worked().label("worked")).select_from(Facility))
        .options(*_FACILITY_LINKS)
        .order_by(Facility.matures_on, Facility.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    used = _utilization({customer.id for _f, customer, _c, _w in rows})
    terms = [
        _term(user, facility, customer, renewal_case, worked, today, used)
        for facility, customer, renewal_case, worked in rows
    ]
    return MaturingPage(
        terms, bands, within, renewal, page, renewals.lead_days(), sum(b.count for b in bands), today
    )


def of_customer(user: User, customer_id: int) -> list[FacilityTerm]:
    """Every facility of the customer (newest first) with its dates, use and renewal, for a reader of it."""
    customer = customers.get_customer(user, customer_id)
    rows = db.session.execute(
        select(Facility, _worked().label("worked"))
        .where(Facility.customer_id == customer_id)
        .options(*_FACILITY_LINKS, joinedload(Facility.renewal_case))
        .order_by(Facility.id.desc())
    ).all()
    used = _utilization({customer_id})
    today = local_today()
    return [
        _term(user, facility, customer, facility.renewal_case, worked, today, used)
        for facility, worked in rows
    ]


# What a facility's row shows beside it (its case's reference, the facility it renews), loaded with it: the
# statements of a page do not grow with its rows.
_FACILITY_LINKS = (joinedload(Facility.instance), selectinload(Facility.renews).joinedload(Facility.instance))


def _term(
    user: User,
    facility: Facility,
    customer: Customer,
    renewal_case: ProcessInstance | None,
    worked: bool,
    today: date,
    used: dict[int, tuple[Decimal | None, date | None]],
) -> FacilityTerm:
    pct, observed_on = used.get(customer.id, (None, None))
    days_left = (facility.matures_on - today).days if facility.matures_on else None
    if user.role not in observations.MAY_READ:  # monitoring data is for those who read it (not approvers)
        pct, observed_on = None, None
    return FacilityTerm(
        facility,
        customer,
        days_left,
        renewal_case,
        renewal_state(renewal_case, bool(worked)),
        renewals.may_propose(user, facility),
        pct if facility.status in facility_terms.LIVE else None,
        observed_on,
    )


def _utilization(customer_ids: set[int]) -> dict[int, tuple[Decimal | None, date | None]]:
    """Each customer's latest observed utilization (%) and its date, for those observed."""
    if not customer_ids:
        return {}
    latest = (
        select(Observation.customer_id, func.max(Observation.observed_on).label("on"))
        .where(Observation.customer_id.in_(customer_ids), Observation.utilization_pct.is_not(None))
        .group_by(Observation.customer_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Observation.customer_id, Observation.utilization_pct, Observation.observed_on)
        .join(
            latest,
            and_(Observation.customer_id == latest.c.customer_id, Observation.observed_on == latest.c.on),
        )
        .where(Observation.utilization_pct.is_not(None))  # not another source's row of the same day
    )
    return {customer_id: (pct, on) for customer_id, pct, on in rows}
