"""The customers behind a portfolio figure (下钻): the page every figure's rows link to, with the figure's own
arguments — a value of a dimension (``grade``, ``loan_class`` — ``npl`` for the three non-performing classes —,
``segment``, ``industry``, ``branch``, ``product``, ``group``, ``customer``), a migration's start state
(``moved`` grade|loan_class and ``before``, with the period), a class at a month's end (``as_of``), a warning
signal detected in the period (``warning``) or a rule's warnings closed in it (``warning_rule``).

Exposure figures count customers holding a live facility, so their drills (and the filters alone: branch,
segment) list only those (a product: those holding a live facility of that product); history and warning drills
list every customer in scope. The
reader's reach holds as on the figures; a value that cannot be read is a 422 naming its field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, exists, func, select

from app.errors import InvalidInput
from app.extensions import db
from app.inputs import dates, numbers
from app.models import Customer, EarlyWarning, Facility, User
from app.models.customers import LIVE_FACILITY_STATUSES
from app.services.analytics import rights
from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard.portfolio_book import (
    NO_VALUE,
    PRODUCT,
    PRODUCTS,
    end_of,
    in_scope,
    label,
)
from app.services.analytics.portfolio_dashboard.portfolio_exposure import NPL, NPL_CLASSES
from app.services.analytics.portfolio_dashboard.portfolio_migration import FIELDS, History
from app.services.cases import text_search
from app.services.monitoring.classification import FIVE_CATEGORIES
from app.services.monitoring.observations import RATINGS
from app.services.shared.id_lists import among

PER_PAGE = 50
CHOICES = {
    "grade": (*RATINGS, NO_VALUE),
    "loan_class": (*FIVE_CATEGORIES, NPL, NO_VALUE),
    "product": PRODUCTS,
    "moved": tuple(FIELDS),
}
FREE = ("industry", "group", "warning", "warning_rule", "before")  # checked as text
ARGS = (*CHOICES, *FREE, "customer", "as_of")
HISTORY_OR_WARNING = {
    "as_of",
    "moved",
    "warning",
    "warning_rule",
}  # drills that list customers without a facility


@dataclass(frozen=True)
class Listing:
    rows: list[dict[str, Any]]
    total: int
    page: int
    asked: list[tuple[str, str]]  # what the list is narrowed to, as the reader reads it


def _read(args: Mapping[str, str]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    found: dict[str, Any] = {}
    for name in ARGS:
        try:
            raw = text_search.clean_term(args.get(name), name)
        except InvalidInput as exc:
            errors.update(exc.errors)
            continue
        if raw is None:
            continue
        if name in CHOICES and raw not in CHOICES[name]:
            errors[name] = _("one of %(keys)s", keys=", ".join(CHOICES[name]))
        elif name == "customer" and numbers.row_id(raw) is None:
            errors[name] = _("a whole number")  # ASCII digits within a row id: no ``²``, no overflow
        elif name == "as_of" and dates.iso_date(raw) is None:
            errors[name] = _("a date such as 2026-11-30")
        else:
            found[name] = dates.iso_date(raw) if name == "as_of" else int(raw) if name == "customer" else raw
    if "before" in found and "moved" not in found:
        errors["moved"] = _("grade or loan_class, with before")
    if "before" in found and "moved" in found and found["before"] not in (*FIELDS[found["moved"]], NO_VALUE):
        errors["before"] = _("one of %(keys)s", keys=", ".join((*FIELDS[found["moved"]], NO_VALUE)))
    if errors:
        raise InvalidInput(_("The customers cannot be listed for these arguments."), errors)
    return found


def _equals(column: Any, value: str) -> ColumnElement[bool]:
    return column.is_(None) if value == NO_VALUE else column == value


def _conditions(asked: dict[str, Any], filters: Filters) -> list[ColumnElement[bool]]:
    live = Facility.customer_id == Customer.id, Facility.status.in_(LIVE_FACILITY_STATUSES)
    found: list[ColumnElement[bool]] = []
    for name, column in (
        ("grade", Customer.grade),
        ("industry", Customer.industry),
        ("group", Customer.group_name),
    ):
        if name in asked:
            found.append(_equals(column, asked[name]))
    if "loan_class" in asked and "as_of" not in asked:
        value = asked["loan_class"]
        found.append(
            Customer.loan_class.in_(NPL_CLASSES) if value == NPL else _equals(Customer.loan_class, value)
        )
    if "customer" in asked:
        found.append(Customer.id == asked["customer"])
    if not HISTORY_OR_WARNING & set(asked):  # an exposure figure's row: its customers hold a live facility
        found.append(exists().where(*live, *((PRODUCT == asked["product"],) if "product" in asked else ())))
    start, end = end_of(filters.previous().date_to), end_of(filters.date_to)
    if "warning" in asked:
        found.append(
            exists().where(
                EarlyWarning.customer_id == Customer.id,
                EarlyWarning.code == asked["warning"],
                EarlyWarning.detected_at > start,
                EarlyWarning.detected_at <= end,
            )
        )
    if "warning_rule" in asked:
        found.append(
            exists().where(
                EarlyWarning.customer_id == Customer.id,
                EarlyWarning.rule_id == asked["warning_rule"],
                EarlyWarning.closed_at > start,
                EarlyWarning.closed_at <= end,
            )
        )
    return found


def customers(user: User, filters: Filters, args: Mapping[str, str], page: int = 1) -> Listing:
    """The customers in ``user``'s reach behind the figure ``args`` name, largest live limits first,
    ``PER_PAGE`` a page (each with its state at both dates for a migration)."""
    reach = rights.portfolio_reach(user)
    asked = _read(args)
    conditions = [in_scope(reach, filters), *_conditions(asked, filters)]
    states: dict[int, tuple[str | None, str | None]] = {}
    if "moved" in asked or "as_of" in asked:
        history = History(reach, filters)
        if "moved" in asked:
            moved = history.moves(asked["moved"], filters.date_from, filters.date_to)
            if "before" in asked:
                moved = moved[moved["before"] == asked["before"]]
            states = {
                int(i): (b, a) for i, b, a in zip(moved.index, moved["before"], moved["after"], strict=True)
            }
        if "as_of" in asked:
            classes = history.states_at(asked["as_of"], "loan_class")
            wanted = asked.get("loan_class")
            if wanted == NPL:
                classes = classes[classes.isin(NPL_CLASSES)]
            elif wanted:
                classes = classes[classes == wanted] if wanted != NO_VALUE else classes[classes.isna()]
            states = {int(i): (c, None) for i, c in classes.items()}
        conditions.append(among(Customer.id, states))  # a whole bank's ids: one parameter
    total = db.session.scalar(select(func.count()).select_from(Customer).where(*conditions)) or 0
    query = (
        select(Customer, User.branch)
        .outerjoin(User, User.id == Customer.officer_id)
        .where(*conditions)
        .order_by(Customer.live_limit.desc(), Customer.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    field = asked.get("moved", "loan_class")
    rows = [
        {
            "id": customer.id,
            "name": customer.name,
            "branch": label("branch", branch),
            "segment": label("segment", customer.segment),
            "industry": label("industry", customer.industry),
            "grade": customer.grade or "—",
            "loan_class": label("loan_class", customer.loan_class),
            "live_limit": customer.live_limit,
            "before": label(field, states[customer.id][0]) if customer.id in states else None,
            "after": label(field, states[customer.id][1])
            if customer.id in states and states[customer.id][1]
            else None,
        }
        for customer, branch in db.session.execute(query)
    ]
    return Listing(rows, total, page, [(name, _described(name, value)) for name, value in asked.items()])


def _described(name: str, value: Any) -> str:
    if name == "loan_class" and value == NPL:
        return _("Non-performing (substandard, doubtful, loss)")
    if name in ("loan_class", "industry", "product", "segment"):
        return label(name, value)
    return str(value)
