"""What a sign-off inbox can be narrowed and ordered by: amount, grade, segment, waiting time, due state
(near or past the SLA), the branch the case came from, a search by customer name, credit code or case
reference. Read from the case summary and the task's due times the steps keep, in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.errors import InvalidInput
from app.extensions import db
from app.inputs import numbers
from app.models import Customer, HumanTask, ProcessInstance, User
from app.models.base import readable_json, utcnow
from app.services.cases import text_search

SORTS = ("oldest", "newest", "amount_desc", "amount_asc", "due")
MAX_WAITING_DAYS = 36_500  # a hundred years: more is no filter, and beyond a timedelta's reach
DUE_STATES = ("overdue", "near")  # past the due time; near it (the warning time has come) but not past
# The query-string names an inbox filter is read from (``InboxFilter.from_args``), and nothing else.
ARG_NAMES = ("q", "min_amount", "max_amount", "grade", "segment", "waiting_days", "due", "branch", "sort")


def _summary():
    return readable_json(ProcessInstance.summary, db.engine.dialect.name)


def _amount():
    return _summary()["proposed_limit"].as_float()


@dataclass(frozen=True)
class InboxFilter:
    search: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    grade: str | None = None
    segment: str | None = None
    waiting_days: int | None = None  # waiting at least this many days
    due: str | None = None  # one of DUE_STATES
    branch: str | None = None  # the branch of the officer who opened the case (or whose customer it is)
    sort: str = "oldest"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> InboxFilter:
        """From a query string; a value that cannot be read is refused naming its field."""
        errors: dict[str, str] = {}

        def number(name: str, read=numbers.decimal_number):
            try:
                value = read(args, name)
            except InvalidInput as exc:
                errors.update(exc.errors)
                return None
            if value is not None and value < 0:
                errors[name] = _("not negative")
            return value

        def days(args, name: str) -> int | None:
            return numbers.whole_number(args, name, largest=MAX_WAITING_DAYS)

        sort = args.get("sort") or "oldest"
        if sort not in SORTS:
            errors["sort"] = _("one of %(keys)s", keys=", ".join(SORTS))
        due = args.get("due") or None
        if due is not None and due not in DUE_STATES:
            errors["due"] = _("one of %(keys)s", keys=", ".join(DUE_STATES))
        try:
            search = text_search.clean_term(args.get("q"))
        except InvalidInput as exc:
            errors.update(exc.errors)
            search = None
        found = cls(
            search=search,
            min_amount=number("min_amount"),
            max_amount=number("max_amount"),
            grade=args.get("grade") or None,
            segment=args.get("segment") or None,
            waiting_days=number("waiting_days", days),
            due=due,
            branch=(args.get("branch") or "").strip() or None,
            sort=sort,
        )
        if errors:
            raise InvalidInput(_("The filter cannot be applied."), errors)
        return found

    @property
    def active(self) -> bool:
        return any(
            v is not None
            for v in (
                self.search,
                self.min_amount,
                self.max_amount,
                self.grade,
                self.segment,
                self.waiting_days,
                self.due,
                self.branch,
            )
        )

    def apply(self, query):
        if self.search:
            query = query.where(text_search.case_filter(self.search, among_open_work=True))
        if self.min_amount is not None:
            query = query.where(_amount() >= float(self.min_amount))
        if self.max_amount is not None:
            query = query.where(_amount() <= float(self.max_amount))
        if self.grade:
            query = query.where(_summary()["grade"].as_string() == self.grade)
        if self.segment:
            query = query.where(_summary()["segment"].as_string() == self.segment)
        if self.waiting_days is not None:
            query = query.where(HumanTask.created_at <= utcnow() - timedelta(days=self.waiting_days))
        now = utcnow()
        if self.due == "overdue":
            query = query.where(HumanTask.due_at <= now)
        elif self.due == "near":
            query = query.where(HumanTask.due_at > now, HumanTask.warn_at <= now)
        if self.branch:
            staff = select(User.id).where(User.branch == self.branch)
            # A case the system started (no starter) comes from its customer's officer's branch.
            query = query.where(
                or_(
                    ProcessInstance.started_by_id.in_(staff),
                    ProcessInstance.started_by_id.is_(None)
                    & ProcessInstance.customer_id.in_(
                        select(Customer.id).where(Customer.officer_id.in_(staff))
                    ),
                )
            )
        return query

    def order(self) -> tuple:
        return {
            "oldest": (HumanTask.created_at, HumanTask.id),
            "newest": (HumanTask.created_at.desc(), HumanTask.id.desc()),
            "amount_desc": (_amount().desc(), HumanTask.id),
            "amount_asc": (_amount(), HumanTask.id),
            "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id),
        }[self.sort]
