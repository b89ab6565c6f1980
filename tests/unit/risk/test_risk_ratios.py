from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.risk import ratios
from app.risk.errors import RiskInputError
from app.risk.statements import parse_statement

RawFactory = Callable[..., dict[str, Any]]


def test_each_ratio_on_the_healthy_statement(healthy: RawFactory) -> None:
    st = parse_statement(healthy())
    # total_liabilities 600 / total_assets 1000
    assert ratios.debt_to_asset(st) == pytest.approx(0.6)
    # current_assets 400 / current_liabilities 250
    assert ratios.current_ratio(st) == pytest.approx(1.6)
    # (current_assets 400 − inventory 150) / current_liabilities 250 = 250 / 250
    assert ratios.quick_ratio(st) == pytest.approx(1.0)
    # ebit 90 / interest_expense 30
    assert ratios.interest_coverage(st) == pytest.approx(3.0)
    # net_income 45 / total_assets 1000
    assert ratios.roa(st) == pytest.approx(0.045)
    # net_income 45 / book_equity 400
    assert ratios.roe(st) == pytest.approx(0.1125)
    # operating_cash_flow 80 / (interest_expense 30 + short_term_debt 100) = 80 / 130
    assert ratios.dscr(st) == pytest.approx(0.6153846)
    # total_liabilities 600 / book_equity 400
    assert ratios.leverage(st) == pytest.approx(1.5)


def test_losses_give_negative_returns(weak: RawFactory) -> None:
    st = parse_statement(weak())
    # net_income −40 / total_assets 1000; −40 / book_equity 100; ebit −20 / interest 30
    assert ratios.roa(st) == pytest.approx(-0.04)
    assert ratios.roe(st) == pytest.approx(-0.4)
    assert ratios.interest_coverage(st) == pytest.approx(-0.6666667)
    # (200 − 100) / 400
    assert ratios.quick_ratio(st) == pytest.approx(0.25)


def test_compute_ratios_returns_every_ratio_in_order(healthy: RawFactory) -> None:
    st = parse_statement(healthy())
    result = ratios.compute_ratios(st)
    assert list(result) == list(ratios.RATIO_NAMES)
    assert result == pytest.approx(
        {
            "debt_to_asset": 0.6,
            "current_ratio": 1.6,
            "quick_ratio": 1.0,
            "interest_coverage": 3.0,
            "roa": 0.045,
            "roe": 0.1125,
            "dscr": 80 / 130,
            "leverage": 1.5,
        }
    )
    assert set(ratios.RATIO_TITLES) == set(ratios.RATIO_NAMES)
    assert ratios.RATIO_TITLES["debt_to_asset"] == ("Debt-to-asset ratio", "资产负债率")


@pytest.mark.parametrize(
    "overrides, function, expected",
    [
        (
            {"current_liabilities": 0, "short_term_debt": 0},
            ratios.current_ratio,
            "current_liabilities: is 0, current ratio undefined",
        ),
        (
            {"current_liabilities": 0, "short_term_debt": 0},
            ratios.quick_ratio,
            "current_liabilities: is 0, quick ratio undefined",
        ),
        (
            {"interest_expense": 0},
            ratios.interest_coverage,
            "interest_expense: is 0, interest coverage undefined",
        ),
        ({"book_equity": 0}, ratios.roe, "book_equity: is 0, ROE undefined"),
        ({"book_equity": -25}, ratios.roe, "book_equity: is negative (-25), ROE undefined"),
        ({"book_equity": 0}, ratios.leverage, "book_equity: is 0, leverage undefined"),
        ({"book_equity": -25}, ratios.leverage, "book_equity: is negative (-25), leverage undefined"),
        (
            {"interest_expense": 0, "short_term_debt": 0},
            ratios.dscr,
            "short_term_debt: is 0, DSCR (interest_expense + short_term_debt) undefined",
        ),
    ],
)
def test_undefined_ratio_names_its_denominator(
    healthy: RawFactory, overrides: dict[str, float], function: Any, expected: str
) -> None:
    st = parse_statement(healthy(**overrides))
    with pytest.raises(RiskInputError) as caught:
        function(st)
    assert str(caught.value) == expected


def test_total_assets_denominator_guarded_even_if_statement_built_directly(healthy: RawFactory) -> None:
    # parse_statement refuses total_assets <= 0; a hand-built Statement must not divide by it either.
    from dataclasses import replace

    st = replace(parse_statement(healthy()), total_assets=0.0)
    with pytest.raises(RiskInputError, match="^total_assets: is 0, debt-to-asset ratio undefined$"):
        ratios.debt_to_asset(st)
    with pytest.raises(RiskInputError, match="^total_assets: is 0, ROA undefined$"):
        ratios.roa(st)


def test_compute_ratios_uses_none_for_undefined(healthy: RawFactory) -> None:
    st = parse_statement(
        healthy(interest_expense=0, current_liabilities=0, short_term_debt=0, book_equity=-10)
    )
    result = ratios.compute_ratios(st)
    assert result["interest_coverage"] is None
    assert result["current_ratio"] is None
    assert result["quick_ratio"] is None
    assert result["dscr"] is None
    assert result["roe"] is None
    assert result["leverage"] is None
    assert result["debt_to_asset"] == pytest.approx(0.6)
    assert result["roa"] == pytest.approx(0.045)
