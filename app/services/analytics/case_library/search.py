"""The case library's list (案例库检索): the analyses found by industry, root cause, tag, outcome, kind of case,
status and words, a page at a time, newest first; the causes of those found, counted (a figure); and the whole
list as a figure for its XLSX.

The library holds analyses by the hundred, not the million: a cause or a tag is matched on the stored JSON list
as text (the element with its quotes, as the database's JSON writes it), and the causes figure counts the causes
of the rows found in one query of that one column.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import selectinload

from app.errors import InvalidInput
from app.extensions import db
from app.inputs import numbers
from app.models import CaseAnalysis, Customer, User
from app.services.analytics.case_library import causes, rights
from app.services.analytics.figures import Chart, Column, Figure
from app.services.cases import text_search

PAGE_SIZE = 20
EXPORT_LIMIT = 5000
STATUS_FILTERS = {"approved": ("approved",), "under_way": ("open", "in_review", "returned")}


@dataclass(frozen=True)
class Query:
    industry: str | None = None
    cause: str | None = None
    tag: str | None = None
    outcome: str | None = None
    kind: str | None = None
    status: str = "approved"  # approved (the library) | under_way
    q: str | None = None
    page: int = 1

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Query:
        """The query from the page's arguments; each bad value named by its field (422)."""
        errors: dict[str, str] = {}

        def text(name: str) -> str | None:
            try:
                return text_search.clean_term(args.get(name), name)
            except InvalidInput as exc:
                errors.update(exc.errors)
                return None

        def one_of(name: str, allowed: tuple[str, ...]) -> str | None:
            value = text(name)
            if value is not None and value not in allowed:
                errors[name] = _("one of %(allowed)s", allowed=", ".join(allowed))
                return None
            return value

        cause = one_of("cause", causes.codes("root_causes"))
        outcome = one_of("outcome", causes.codes("case_outcome"))
        kind = one_of("kind", tuple(causes.TRIGGERS))
        status = one_of("status", tuple(STATUS_FILTERS)) or "approved"
        raw_page = text("page") or "1"
        page = numbers.row_id(raw_page) or 0
        page = page if page < 100_000 else 0
        if not page:
            errors["page"] = _("a page number from 1")
        found = cls(text("industry"), cause, text("tag"), outcome, kind, status, text("q"), page or 1)
        if errors:
            raise InvalidInput(_("The library cannot be searched with these filters."), errors)
        return found

    def as_args(self, **changes: Any) -> dict[str, str]:
        """The query as link arguments (the pager, the export), with ``changes``."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        return {
            k: str(v)
            for k, v in values.items()
            if v not in (None, "") and (k, v) not in (("page", 1), ("status", "approved"))
        }


def _json_has(column: Any, value: str) -> ColumnElement[bool]:
    """The JSON list ``column`` holds ``value`` (as text: SQLite keeps JSON ASCII-escaped, PostgreSQL does not)."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    element = json.dumps(value, ensure_ascii=sqlite)
    return cast(column, String).like(text_search.like_pattern(element), escape="\\")


def _conditions(query: Query) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [CaseAnalysis.status.in_(STATUS_FILTERS[query.status])]
    if query.industry:
        found.append(CaseAnalysis.industry == query.industry)
    if query.cause:
        found.append(_json_has(CaseAnalysis.root_causes, query.cause))
    if query.tag:
        found.append(_json_has(CaseAnalysis.tags, query.tag))
    if query.outcome:
        found.append(CaseAnalysis.outcome == query.outcome)
    if query.kind:
        found.append(CaseAnalysis.trigger_kind == query.kind)
    if query.q:
        pattern = text_search.like_pattern(query.q)
        found.append(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        CaseAnalysis.title,
                        CaseAnalysis.missed_signals,
                        CaseAnalysis.lessons,
                        CaseAnalysis.recommendation,
                        Customer.name,
                    )
                )
            )
        )
    return found


@dataclass(frozen=True)
class Found:
    rows: list[CaseAnalysis]
    total: int
    page: int
    pages: int
    industries: list[str]  # every industry the library holds (the filter's choices)


def find(user: User, query: Query) -> Found:
    """A page of the analyses ``query`` finds, newest first (approved: by approval; under way: by start)."""
    rights.check_read(user)
    where = _conditions(query)
    base = select(CaseAnalysis).join(Customer, Customer.id == CaseAnalysis.customer_id).where(*where)
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    order = CaseAnalysis.approved_at if query.status == "approved" else CaseAnalysis.created_at
    rows = list(
        db.session.scalars(
            base.order_by(order.desc(), CaseAnalysis.id.desc())
            .offset((query.page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
            .options(selectinload(CaseAnalysis.customer), selectinload(CaseAnalysis.instance))
        )
    )
    industries = list(
        db.session.scalars(
            select(CaseAnalysis.industry)
            .where(CaseAnalysis.industry.is_not(None))
            .distinct()
            .order_by(CaseAnalysis.industry)
        )
    )
    return Found(rows, total, query.page, pages, [i for i in industries if i])


def causes_figure(user: User, query: Query) -> Figure:
    """How many of the analyses found name each root cause (an analysis names one or more)."""
    rights.check_read(user)
    counted: Counter[str] = Counter()
    for listed in db.session.scalars(
        select(CaseAnalysis.root_causes)
        .join(Customer, Customer.id == CaseAnalysis.customer_id)
        .where(*_conditions(query))
    ):
        counted.update(listed or [])
    titles = causes.cause_titles()
    ranked = sorted((code for code in titles if counted[code]), key=lambda code: -counted[code])
    rows = [{"cause": titles[code], "count": counted[code], "drill": {"cause": code}} for code in ranked]
    return Figure(
        "causes",
        _("Root causes"),
        (Column("cause", _("Root cause")), Column("count", _("Cases"), "count")),
        rows,
        Chart("bar", "cause", ("count",)),
        drill="case_library.index",
        note=_("An analysis may name several causes."),
    )


def list_figure(user: User, query: Query) -> Figure:
    """Every analysis found (up to ``EXPORT_LIMIT``) as a table: what the list's XLSX holds."""
    rights.check_read(user)
    cause_titles, outcome_titles = causes.cause_titles(), causes.outcome_titles()
    found = db.session.scalars(
        select(CaseAnalysis)
        .join(Customer, Customer.id == CaseAnalysis.customer_id)
        .where(*_conditions(query))
        .order_by(CaseAnalysis.id.desc())
        .limit(EXPORT_LIMIT)
        .options(selectinload(CaseAnalysis.customer), selectinload(CaseAnalysis.instance))
    )
    rows = [
        {
            "reference": a.instance.reference if a.instance else "",
            "title": a.title or "",
            "customer": a.customer.name,
            "industry": _(a.industry) if a.industry else "",
            "kind": str(causes.TRIGGERS.get(a.trigger_kind, a.trigger_kind)),
            "causes": "、".join(cause_titles.get(c, c) for c in a.root_causes or []),
            "tags": "、".join(a.tags or []),
            "outcome": outcome_titles.get(a.outcome or "", a.outcome or ""),
            "default_on": a.default_on.isoformat() if a.default_on else "",
            "recommendation": a.recommendation or "",
        }
        for a in found
    ]
    return Figure(
        "cases",
        _("Case library"),
        (
            Column("reference", _("Reference")),
            Column("title", _("Title of the case")),
            Column("customer", _("Customer")),
            Column("industry", _("Industry")),
            Column("kind", _("What started the analysis")),
            Column("causes", _("Root causes")),
            Column("tags", _("Tags")),
            Column("outcome", _("Outcome")),
            Column("default_on", _("Default date")),
            Column("recommendation", _("Policy recommendation")),
        ),
        rows,
    )
