"""Substring search ("contains", any case) over case references, customer names and credit codes,
answered through the text indexes of ``app.models.cases.search`` so that it costs about the same at ten
thousand cases and at a million.

Every search box that looks for a case or a customer by part of its name, credit code or reference
builds its condition here: the case list, the sign-off inbox, the customer list and the auditor's
search. A term is literal text: ``%`` and ``_`` match themselves.

A trigram index needs three characters. A shorter term (两个汉字) is matched by reading the rows in
their list order, which stops at the first page of hits: quick for a common term, a scan for a rare
one (on PostgreSQL the planner chooses between the two).

Identifiers are told apart by their last characters: a reference ends with its serial number, a credit
code with its organization code and check character, while their first ones (CA-2026-, a region's
91310000) are shared by every case of a year or every customer of a region. PostgreSQL's GIN index reads
the whole list of rows of every trigram it is asked for, so there a reference or a credit code column is
asked for the term's last characters (``KEY_TAIL``) and each row found is checked against the whole term:
the same answer, from few rows. SQLite's FTS5 steps through common trigrams by the rarer ones, but keeps
one list per trigram for all columns, so there the whole term is asked for in every column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    and_,
    func,
    literal_column,
    or_,
    select,
    text,
)

from app.errors import InvalidInput
from app.extensions import db
from app.models import Customer, ProcessInstance, case_text, customer_text
from app.models.base import readable_json
from app.services.shared.unit_of_work import unit_of_work

MAX_TERM = 100
INDEXED = 3  # characters a trigram index needs
CASE_FIELDS = ("reference", "customer_name", "uscc")
KEY_TAIL = {"reference": 6, "uscc": 9}  # the serial number; the organization code and check character
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_term(raw: str | None, field: str = "q") -> str | None:
    """The search term as typed, trimmed (None when empty); control characters (NUL …) and more than
    ``MAX_TERM`` characters are refused naming ``field``."""
    term = (raw or "").strip()
    if not term:
        return None
    if _CONTROL.search(term):
        raise InvalidInput(_("The search cannot be run."), {field: _("letters, digits and punctuation only")})
    if len(term) > MAX_TERM:
        raise InvalidInput(
            _("The search cannot be run."), {field: _("at most %(count)s characters", count=MAX_TERM)}
        )
    return term


def like_pattern(term: str) -> str:
    """``%term%`` for LIKE with ``\\`` as the escape character: ``%`` and ``_`` in the term match themselves."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _key(term: str, field: str) -> str:
    """What PostgreSQL's index of ``field`` is asked for: the whole term, or an identifier's last characters."""
    tail = KEY_TAIL.get(field)
    return term[-tail:] if tail and len(term) > tail else term


def _contains(column: SQLColumnExpression[Any], term: str) -> ColumnElement:
    return column.ilike(like_pattern(term), escape="\\")


def _fields_contain(columns: Mapping[str, SQLColumnExpression[Any]], term: str) -> ColumnElement:
    """One of ``columns`` (by field) contains ``term``, as PostgreSQL's trigram indexes answer it: each asked
    for its key, and the whole term checked on an expression no index serves (so the planner looks up the key
    only)."""
    return or_(
        *(
            _contains(column, term)
            if _key(term, field) == term
            else and_(_contains(column, _key(term, field)), _contains(func.coalesce(column, column), term))
            for field, column in columns.items()
        )
    )


def _fts(table, term: str, fields) -> ColumnElement:
    """SQLite: the FTS5 match of ``term`` in ``fields``, as one quoted phrase (a substring for the trigram
    tokenizer)."""
    quoted = term.replace('"', '""')
    return getattr(table.c, table.name).op("MATCH")(f'{{{" ".join(fields)}}} : "{quoted}"')


def _summary_text(key: str) -> ColumnElement:
    """``summary ->> 'key'`` with the key written out, so PostgreSQL matches the trigram index's expression."""
    if _dialect() == "postgresql":
        return ProcessInstance.summary.op("->>", return_type=String)(literal_column(f"'{key}'"))
    return readable_json(ProcessInstance.summary, "sqlite")[key].as_string()


def _case_columns(fields: tuple[str, ...]) -> dict[str, SQLColumnExpression[Any]]:
    return {f: ProcessInstance.reference if f == "reference" else _summary_text(f) for f in fields}


def case_filter(
    term: str, fields: tuple[str, ...] = CASE_FIELDS, *, among_open_work: bool = False
) -> ColumnElement:
    """Cases whose ``fields`` (reference, customer_name, uscc) contain ``term``.

    ``among_open_work``: the rest of the query already narrows to rows bounded by open work (an inbox's
    ready tasks), so each of those is tested, which costs the same whatever the history holds; looking the
    term up in the index first would collect every case in history that contains a common term. (On
    PostgreSQL the condition is the same either way and the planner weighs the two.)
    """
    columns = _case_columns(fields)
    if _dialect() != "sqlite":
        return _fields_contain(columns, term)
    if not _indexed(term) or among_open_work:
        return or_(*(_contains(column, term) for column in columns.values()))
    return ProcessInstance.id.in_(select(case_text.c.rowid).where(_fts(case_text, term, fields)))


def newest_cases(query: Select, term: str | None) -> Select:
    """``query`` over ProcessInstance narrowed to cases containing ``term``, newest first.

    On SQLite the FTS table is read newest first and stops at the page's limit, where an ``IN`` over
    its matches would collect every match of a common term first.
    """
    if term and _dialect() == "sqlite" and _indexed(term):
        return (
            query.join(case_text, case_text.c.rowid == ProcessInstance.id)
            .where(_fts(case_text, term, CASE_FIELDS))
            .order_by(case_text.c.rowid.desc())
        )
    if term:
        query = query.where(case_filter(term))
    return query.order_by(ProcessInstance.id.desc())


def customer_filter(term: str) -> ColumnElement:
    """Customers whose name or credit code contains ``term``."""
    columns = {"name": Customer.name, "uscc": Customer.uscc}
    if _dialect() != "sqlite":
        return _fields_contain(columns, term)
    if not _indexed(term):
        return or_(*(_contains(column, term) for column in columns.values()))
    return Customer.id.in_(select(customer_text.c.rowid).where(_fts(customer_text, term, columns)))


def _indexed(term: str) -> bool:
    return len(term) >= INDEXED


def tidy_index() -> None:
    """Merge SQLite's FTS5 search tables into one segment each (beat, nightly).

    Rows added a step at a time leave the index in many small segments, and a search looks its term up in
    each of them, so without this a search slows as cases accumulate (at a million cases, 1.1 ms before and
    0.4 ms after; the merge takes about 4 s). PostgreSQL's GIN indexes are kept by autovacuum: nothing to do.
    """
    if _dialect() != "sqlite":
        return
    with unit_of_work():
        for table in (case_text, customer_text):
            db.session.execute(text(f"INSERT INTO {table.name}({table.name}) VALUES ('optimize')"))
