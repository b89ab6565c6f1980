"""What "my customers" (我的客户) can be narrowed and ordered by: the officer or team (managers), grade,
five-category class, industry, an open early warning, a periodic review due within N days (or past), a live
facility maturing within N days; sorted by name, live limit or grade.

Read from a query string, each value checked: a value that cannot be read is named with its field, and the
listing keeps every filter that could be read (``read``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, exists

from app.errors import InvalidInput
from app.inputs import numbers
from app.models import Customer, EarlyWarning
from app.services.cases import text_search
from app.services.customers.facilities import maturity
from app.services.monitoring.classification import FIVE_CATEGORIES
from app.services.monitoring.observations import RATINGS

SORTS = ("name", "limit", "grade")  # by name; the largest live limit first; the best grade first
UNCLASSIFIED = "unclassified"  # a customer not classified yet (五级分类 not set)
CLASSES = (*FIVE_CATEGORIES, UNCLASSIFIED)
INDUSTRIES = (
    "manufacturing",
    "wholesale_retail",
    "construction",
    "real_estate",
    "technology",
    "services",
    "agriculture",
    "transport",
)  # forms/application_intake.json's list
MAX_DAYS = 3660  # ten years ahead: further is no filter
ARG_NAMES = (
    "officer",
    "team",
    "grade",
    "loan_class",
    "industry",
    "warning",
    "review_days",
    "maturity_days",
    "sort",
)


@dataclass(frozen=True)
class BookFilter:
    officer: int | None = None  # a manager's view: one officer's customers
    team: str | None = None  # a manager's view: one team's
    grade: str | None = None
    loan_class: str | None = None  # one of CLASSES
    industry: str | None = None
    warning: bool = False  # only customers with an open early warning
    review_days: int | None = None  # periodic review due within so many days, or past due
    maturity_days: int | None = None  # a live facility maturing within so many days
    sort: str = "name"

    @classmethod
    def read(cls, args: Mapping[str, str]) -> tuple[BookFilter, dict[str, str]]:
        """The filter from a query string, and the message of each field that could not be read (left out)."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}  # each read and checked as its field's type

        def one_of(name: str, allowed: tuple[str, ...]) -> None:
            raw = _text(args, name, errors)
            if raw is None:
                return
            if raw not in allowed:
                errors[name] = _("one of %(keys)s", keys=", ".join(allowed))
            else:
                values[name] = raw

        def whole(name: str, largest: int) -> None:
            try:
                values[name] = numbers.whole_number(args, name, largest=largest)
            except InvalidInput as exc:
                errors.update(exc.errors)

        whole("officer", numbers.ROW_ID)
        team = _text(args, "team", errors)
        if team is not None:
            values["team"] = team
        one_of("grade", RATINGS)
        one_of("loan_class", CLASSES)
        one_of("industry", INDUSTRIES)
        flag = (args.get("warning") or "").strip().lower()
        if flag not in ("", "0", "1", "true", "false", "on", "yes", "no"):
            errors["warning"] = _("yes or no")
        values["warning"] = flag in ("1", "true", "on", "yes")
        whole("review_days", MAX_DAYS)
        whole("maturity_days", MAX_DAYS)
        one_of("sort", SORTS)
        return cls(**{k: v for k, v in values.items() if v is not None}), errors

    @property
    def narrowed(self) -> bool:
        """Any filter beyond who holds the customers."""
        return any(
            (
                self.grade,
                self.loan_class,
                self.industry,
                self.warning,
                self.review_days is not None,
                self.maturity_days is not None,
            )
        )

    def as_args(self) -> dict[str, str]:
        """The query string that gives this filter back (for links and the pager)."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, False, "") or (f.name == "sort" and value == "name"):
                continue
            out[f.name] = "1" if value is True else str(value)
        return out

    def conditions(self, today: date) -> list[ColumnElement[bool]]:
        """The conditions on ``Customer`` (the officer and team are the caller's: they need its scope)."""
        found: list[ColumnElement[bool]] = []
        if self.grade:
            found.append(Customer.grade == self.grade)
        if self.loan_class == UNCLASSIFIED:
            found.append(Customer.loan_class.is_(None))
        elif self.loan_class:
            found.append(Customer.loan_class == self.loan_class)
        if self.industry:
            found.append(Customer.industry == self.industry)
        if self.warning:
            found.append(
                exists().where(EarlyWarning.status == "open", EarlyWarning.customer_id == Customer.id)
            )
        if self.review_days is not None:
            found.append(Customer.next_review_on <= today + timedelta(days=self.review_days))
        if self.maturity_days is not None:
            found.append(maturity.maturing_within(today, today + timedelta(days=self.maturity_days)))
        return found


def _text(args: Mapping[str, str], name: str, errors: dict[str, str]) -> str | None:
    try:
        return text_search.clean_term(args.get(name), name)
    except InvalidInput as exc:
        errors.update(exc.errors)
        return None


def grade_rank() -> ColumnElement[int]:
    """The grade's place on the master scale (AAA first, unrated last), for sorting."""
    return case(
        {grade: index for index, grade in enumerate(RATINGS)}, value=Customer.grade, else_=len(RATINGS)
    )
