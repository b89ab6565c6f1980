"""A figure's chart, table and export read the same rows; the filters name each bad value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from app.errors import InvalidInput
from app.services.analytics.figures import Chart, Column, Figure, share, sheet_rows
from app.services.analytics.filters import Filters


def _figure() -> Figure:
    return Figure(
        key="by_grade",
        title="By grade",
        columns=(
            Column("grade", "Grade"),
            Column("limit", "Limit", "money"),
            Column("n", "Customers", "count"),
        ),
        rows=[
            {"grade": "A", "limit": Decimal("1500000.00"), "n": 3, "drill": {"grade": "A"}},
            {"grade": "=cmd|' /C calc'!A0", "limit": None, "n": 1},
        ],
        chart=Chart("bar", "grade", ("limit",)),
        total={"grade": "Total", "limit": Decimal("1500000.00"), "n": 4},
    )


def test_the_chart_and_the_sheet_carry_the_table_s_numbers():
    figure = _figure()
    data = figure.chart_data()
    assert data["labels"] == ["A", "=cmd|' /C calc'!A0"]
    assert data["series"] == [{"key": "limit", "title": "Limit", "data": [1500000.0, None]}]
    rows = list(sheet_rows(figure))
    assert rows[0] == ["Grade", "Limit", "Customers"]
    assert rows[1] == ["A", Decimal("1500000.00"), 3]
    assert rows[-1] == ["Total", Decimal("1500000.00"), 4]


def test_a_chart_reading_a_column_the_figure_lacks_is_refused_when_built():
    with pytest.raises(ValueError, match="does not have"):
        Figure("f", "F", (Column("a", "A"),), [], Chart("bar", "a", ("missing",)))
    with pytest.raises(ValueError, match="unknown kind"):
        Column("a", "A", "percent")


def test_share_is_none_of_nothing():
    assert share(5, 0) is None and share(1, 3) == Decimal("33.33")


def test_filters_default_to_a_year_and_name_each_bad_value(app):
    with app.test_request_context():
        found = Filters.parse(
            MultiDict({"date_from": "2026-01-01", "date_to": "2026-03-31", "branch": "shanghai"})
        )
        assert (found.date_from, found.date_to, found.branch) == (
            date(2026, 1, 1),
            date(2026, 3, 31),
            "shanghai",
        )
        assert found.previous().date_to == date(2025, 12, 31)
        assert found.previous().date_from == date(2025, 10, 3)  # the same 90 days
        assert found.as_args()["date_from"] == "2026-01-01"
        with pytest.raises(InvalidInput) as refused:
            Filters.parse(MultiDict({"date_from": "2026-13-01", "date_to": "2026-01-01\x00"}))
        assert set(refused.value.errors) >= {"date_from", "date_to"}
        with pytest.raises(InvalidInput) as refused:
            Filters.parse(MultiDict({"date_from": "2026-05-01", "date_to": "2026-04-01"}))
        assert "date_to" in refused.value.errors
