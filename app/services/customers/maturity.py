"""When a facility matures (到期日), as SQL: the one place "my customers" reads it from.

Until the facility carries its own maturity date, it is the day it was decided plus its term in months
(``decided_at + term_months``; a facility without a term has no maturity). When ``Facility.matures_on``
exists, ``matures_on()`` returns that column and nothing else changes.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Date, and_, exists
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from app.models import Customer, Facility

LIVE = "active"  # a facility that still counts: its limit is the customer's live limit


class _MonthsAfter(FunctionElement):
    """The date ``months`` calendar months after a timestamp (SQLite's and PostgreSQL's own month arithmetic:
    31 January + 1 month is 3 March on SQLite, 28/29 February on PostgreSQL)."""

    type = Date()
    inherit_cache = True
    name = "months_after"


@compiles(_MonthsAfter, "postgresql")
def _months_after_pg(element, compiler, **kw):
    start, months = list(element.clauses)
    return (f"CAST(({compiler.process(start, **kw)} + make_interval(months => {compiler.process(months, **kw)}))"
            " AS DATE)")


@compiles(_MonthsAfter)
def _months_after_sqlite(element, compiler, **kw):
    start, months = list(element.clauses)
    return f"date({compiler.process(start, **kw)}, '+' || {compiler.process(months, **kw)} || ' months')"


def matures_on(facility=Facility) -> ColumnElement[date]:
    """The maturity date of ``facility`` (the model or an alias of it): the one function to switch to
    ``facility.matures_on``."""
    return _MonthsAfter(facility.decided_at, facility.term_months)


def maturing_within(today: date, end: date) -> ColumnElement[bool]:
    """The customer has a live facility maturing between ``today`` and ``end`` (both included); its own alias
    of the facilities, so a query that joins them too still reads every customer's."""
    facility = aliased(Facility)
    when = matures_on(facility)
    return exists().where(facility.customer_id == Customer.id, facility.status == LIVE,
                          and_(when >= today, when <= end))
