"""One figure of a dashboard: its data as a table (typed columns, rows), how to draw it, and where each row
drills down to. A page renders it with the ``analytics/_figure.html`` macro (the chart, the table beside it for
those who do not see the chart, a link to its XLSX) and exports it with ``sheet_rows``; the numbers are the
same object in all three, so the chart, the table and the file never disagree.

Column kinds: ``text``, ``count`` (a whole number), ``money`` (CNY, Decimal), ``pct`` (a percentage, already
×100), ``ratio`` (a plain number), ``days``. A chart draws ``chart.values`` (column keys) against
``chart.label`` as ``bar`` (grouped), ``stacked`` (stacked bars), ``line`` or ``none`` (table only).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

KINDS = ("text", "count", "money", "pct", "ratio", "days")
NUMBERS = ("money", "pct", "ratio", "days")  # kept as text when Decimal, read back as Decimal
CHARTS = ("bar", "stacked", "line", "none")


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # already in the reader's language
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Chart:
    kind: str  # bar | stacked | line | none
    label: str  # the column read as the category axis
    values: tuple[str, ...]  # the columns drawn

    def __post_init__(self) -> None:
        if self.kind not in CHARTS:
            raise ValueError(f"unknown chart kind {self.kind!r}")


@dataclass(frozen=True)
class Figure:
    """``key`` names the figure on its page (the export link asks for it); ``drill`` is the endpoint a row's
    ``drill`` arguments go to (None: rows do not drill down)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Mapping[str, Any]]
    chart: Chart = field(default_factory=lambda: Chart("none", "", ()))
    drill: str | None = None
    note: str | None = None  # one line under the title (the basis, the as-of time)
    total: Mapping[str, Any] | None = None  # a last row in bold (never drawn)

    def __post_init__(self) -> None:
        keys = {c.key for c in self.columns}
        wanted = ({self.chart.label} if self.chart.kind != "none" else set()) | set(self.chart.values)
        if not wanted <= keys:
            raise ValueError(f"figure {self.key}: the chart reads columns it does not have: {wanted - keys}")

    def chart_data(self) -> dict[str, Any]:
        """What the page's script draws: labels and one series per value column (numbers as floats)."""
        return {
            "kind": self.chart.kind,
            "labels": [_plain(row.get(self.chart.label)) for row in self.rows],
            "series": [
                {
                    "key": key,
                    "title": self.column(key).title,
                    "data": [_number(row.get(key)) for row in self.rows],
                }
                for key in self.chart.values
            ],
        }

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def sheet_rows(figure: Figure) -> Iterator[list[Any]]:
    """The figure as spreadsheet rows: the titles, then each row's values (numbers as numbers), the total last."""
    yield [c.title for c in figure.columns]
    for row in figure.rows:
        yield [_cell(row.get(c.key)) for c in figure.columns]
    if figure.total:
        yield [_cell(figure.total.get(c.key)) for c in figure.columns]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, Decimal)):
        return value
    return str(value)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def share(part: Any, whole: Any) -> Decimal | None:
    """``part`` as a percentage of ``whole`` (two decimals), None when the whole is nothing."""
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return (
            None  # JSON (and PostgreSQL's JSONB) has no NaN or Infinity: one would fail the whole job's write
        )
    if isinstance(value, Decimal) and not value.is_finite():
        return None
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    return value


def figure_json(figure: Figure) -> dict:
    """``figure`` as plain JSON to keep: each row's columns and drill-down (a Decimal or a date as text, so not a
    fen is lost); ``figure_from_json`` reads it back."""
    return {
        "key": figure.key,
        "title": figure.title,
        "columns": [[c.key, c.title, c.kind] for c in figure.columns],
        "rows": [_json_value(_shown(row, figure.columns)) for row in figure.rows],
        "chart": [figure.chart.kind, figure.chart.label, list(figure.chart.values)],
        "drill": figure.drill,
        "note": figure.note,
        "total": _json_value(_shown(figure.total, figure.columns)) if figure.total else None,
    }


def _shown(row: Mapping[str, Any], columns: tuple[Column, ...]) -> dict:
    """What of ``row`` the page shows (its columns) and where it drills down to: what is kept of it."""
    return {key: row[key] for key in (*(c.key for c in columns), "drill") if key in row}


def _typed(row: Mapping[str, Any] | None, columns: tuple[Column, ...]) -> dict | None:
    """A kept row typed again: a number kept as text is a Decimal (an int or a float came back as itself)."""
    if row is None:
        return None
    found = dict(row)
    for column in columns:
        value = found.get(column.key)
        if column.kind in NUMBERS and isinstance(value, str):
            try:
                found[column.key] = Decimal(value)
            except InvalidOperation:  # a number column's text (a "—"): shown as it was kept
                pass
    return found


def figure_from_json(data: dict) -> Figure:
    columns = tuple(Column(*c) for c in data["columns"])
    kind, label, values = data["chart"]
    return Figure(
        key=data["key"],
        title=data["title"],
        columns=columns,
        rows=[_typed(row, columns) or {} for row in data["rows"]],
        chart=Chart(kind, label, tuple(values)),
        drill=data["drill"],
        note=data["note"],
        total=_typed(data["total"], columns),
    )
