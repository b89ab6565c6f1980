"""When a customer's live facilities mature (到期日), as SQL: the one place "my customers" reads it from.

A facility carries its own maturity (``Facility.matures_on``, set when it is recorded and moved by a control
that shortens its term: ``facility_terms``); a facility without a term has none.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, exists
from sqlalchemy.orm import aliased

from app.models import Customer, Facility
from app.models.customers import LIVE_FACILITY_STATUSES


def matures_on(facility=Facility) -> ColumnElement[date]:
    """The maturity date of ``facility`` (the model or an alias of it)."""
    return facility.matures_on


def is_live(facility=Facility) -> ColumnElement[bool]:
    """``facility`` still counts: its limit is the customer's live limit, its maturity the customer's."""
    return facility.status.in_(LIVE_FACILITY_STATUSES)


def maturing_within(today: date, end: date) -> ColumnElement[bool]:
    """The customer has a live facility maturing between ``today`` and ``end`` (both included); its own alias
    of the facilities, so a query that joins them too still reads every customer's."""
    facility = aliased(Facility)
    when = matures_on(facility)
    return exists().where(
        facility.customer_id == Customer.id, is_live(facility), and_(when >= today, when <= end)
    )
