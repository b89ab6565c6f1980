from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from app.risk.errors import RiskInputError
from app.risk.statements import (
    LINE_ITEM_TITLES,
    LINE_ITEMS,
    Statement,
    inconsistencies,
    parse_statement,
    read_statement,
)

RawFactory = Callable[..., dict[str, Any]]


def test_error_str_is_field_colon_message() -> None:
    error = RiskInputError("cash", "is missing")
    assert (error.field, error.message) == ("cash", "is missing")
    assert str(error) == "cash: is missing"
    assert isinstance(error, ValueError)


def test_line_items_are_fixed_in_order() -> None:
    assert LINE_ITEMS == (
        "total_assets", "current_assets", "cash", "inventory", "receivables",
        "total_liabilities", "current_liabilities", "short_term_debt", "long_term_debt",
        "book_equity", "market_equity", "retained_earnings", "sales", "ebit",
        "interest_expense", "net_income", "operating_cash_flow", "depreciation",
    )  # fmt: skip
    assert set(LINE_ITEM_TITLES) == set(LINE_ITEMS)
    assert LINE_ITEM_TITLES["total_assets"] == ("Total assets", "资产总计")
    assert LINE_ITEM_TITLES["current_liabilities"] == ("Current liabilities", "流动负债合计")


def test_parse_gives_floats_and_round_trips_as_json(healthy: RawFactory) -> None:
    st = parse_statement(healthy(cash=" 100.5 ", sales="1,200"))
    assert isinstance(st, Statement)
    assert st.fiscal_year == 2024
    assert st.cash == pytest.approx(100.5)
    assert st.sales == 1200.0 and isinstance(st.total_assets, float)
    data = json.loads(json.dumps(st.as_dict()))
    assert list(data) == ["fiscal_year", *LINE_ITEMS]
    assert data["market_equity"] == 500.0
    assert parse_statement(data) == st


def test_statement_is_frozen(healthy: RawFactory) -> None:
    st = parse_statement(healthy())
    with pytest.raises(AttributeError):
        st.cash = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("absent", [None, "", "  "])
def test_market_equity_absent_means_not_listed(absent: object, healthy: RawFactory) -> None:
    assert parse_statement(healthy(market_equity=absent)).market_equity is None
    raw = healthy()
    del raw["market_equity"]
    assert parse_statement(raw).market_equity is None


def test_negative_equity_earnings_and_cash_flow_are_allowed(healthy: RawFactory) -> None:
    st = parse_statement(
        healthy(book_equity=-50, retained_earnings=-300, ebit=-10, net_income=-20, operating_cash_flow=-5)
    )
    assert (st.book_equity, st.net_income) == (-50.0, -20.0)


@pytest.mark.parametrize("field", [item for item in LINE_ITEMS if item != "market_equity"] + ["fiscal_year"])
def test_missing_field_is_named(field: str, healthy: RawFactory) -> None:
    raw = healthy()
    del raw[field]
    with pytest.raises(RiskInputError) as caught:
        parse_statement(raw)
    assert caught.value.field == field
    assert str(caught.value) == f"{field}: is missing"


@pytest.mark.parametrize("bad", ["12a", [1], {"v": 1}, True, float("nan"), "inf"])
def test_non_numeric_field_is_named(bad: object, healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(sales=bad))
    assert caught.value.field == "sales"
    assert "number" in caught.value.message


@pytest.mark.parametrize(
    "field",
    [
        "total_assets", "current_assets", "cash", "inventory", "receivables", "total_liabilities",
        "current_liabilities", "short_term_debt", "long_term_debt", "market_equity", "sales",
        "interest_expense", "depreciation",
    ],
)  # fmt: skip
def test_negative_where_impossible(field: str, healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(**{field: -1}))
    assert caught.value.field == field
    assert caught.value.message == "is -1, must not be negative"


def test_total_assets_must_be_positive(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(total_assets=0, current_assets=0))
    assert str(caught.value) == "total_assets: is 0, must be positive"


def test_current_assets_above_total_assets(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(current_assets=1000.5))
    assert (
        str(caught.value)
        == "current_assets: current_assets 1000.5 exceeds total_assets 1000 (fiscal year 2024)"
    )


def test_current_liabilities_above_total_liabilities(healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(current_liabilities=601))
    assert caught.value.field == "current_liabilities"
    assert "exceeds total_liabilities 600" in caught.value.message


def test_equal_current_and_total_figures_are_consistent(healthy: RawFactory) -> None:
    st = parse_statement(healthy(current_assets=1000, current_liabilities=600, long_term_debt=0))
    assert (st.current_assets, st.current_liabilities) == (1000.0, 600.0)


@pytest.mark.parametrize("year, expected", [("2023", 2023), (2022.0, 2022)])
def test_fiscal_year_forms(year: object, expected: int, healthy: RawFactory) -> None:
    assert parse_statement(healthy(fiscal_year=year)).fiscal_year == expected


@pytest.mark.parametrize("year", ["FY24", 2024.5, 1800, True])
def test_bad_fiscal_year(year: object, healthy: RawFactory) -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(fiscal_year=year))
    assert caught.value.field == "fiscal_year"


def test_not_a_mapping() -> None:
    with pytest.raises(RiskInputError) as caught:
        parse_statement([1, 2])  # type: ignore[arg-type]
    assert caught.value.field == "statement"


@pytest.mark.parametrize(
    "overrides, field, parts, whole",
    [
        ({"current_assets": 1001}, "current_assets", ("current_assets",), "total_assets"),
        ({"cash": 200}, "current_assets", ("cash", "inventory", "receivables"), "current_assets"),
        ({"current_liabilities": 601}, "current_liabilities", ("current_liabilities",), "total_liabilities"),
        ({"short_term_debt": 251}, "short_term_debt", ("short_term_debt",), "current_liabilities"),
        (
            {"long_term_debt": 351},
            "total_liabilities",
            ("current_liabilities", "long_term_debt"),
            "total_liabilities",
        ),
    ],
)
def test_every_part_above_its_whole_is_found(healthy: RawFactory, overrides, field, parts, whole) -> None:
    # current liabilities above total liabilities are, with long-term borrowings, above them too
    found = inconsistencies(read_statement(healthy(**overrides)))[0]
    assert (found.kind, found.field, found.parts, found.whole, found.fiscal_year) == (
        "exceeds",
        field,
        parts,
        whole,
        2024,
    )
    assert (
        found.figure == sum(healthy(**overrides)[p] for p in parts)
        and found.bound == healthy(**overrides)[whole]
    )
    with pytest.raises(RiskInputError) as caught:
        parse_statement(healthy(**overrides))
    assert caught.value.field == field and "(fiscal year 2024)" in caught.value.message


def test_the_balance_sheet_balances_within_the_tolerance_given(healthy: RawFactory) -> None:
    st = read_statement(healthy(book_equity=405))  # assets 1000, liabilities 600 + equity 405
    assert inconsistencies(st) == []  # without a tolerance the identity is not checked
    assert inconsistencies(st, balance_tolerance=5) == []
    [found] = inconsistencies(st, balance_tolerance=4.99)
    assert (found.kind, found.field, found.figure, found.bound) == ("unbalanced", "total_assets", 1005, 1000)
    assert (
        parse_statement(healthy(book_equity=405)).book_equity == 405
    )  # parsing alone does not need the policy
