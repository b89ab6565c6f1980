"""Fixtures for the risk tests: statements with round figures, checkable by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

RawFactory = Callable[..., dict[str, Any]]


def _healthy(**overrides: Any) -> dict[str, Any]:
    """A sound manufacturer, fiscal year 2024 (amounts in 10k CNY)."""
    raw: dict[str, Any] = {
        "fiscal_year": 2024,
        "total_assets": 1000,
        "current_assets": 400,
        "cash": 100,
        "inventory": 150,
        "receivables": 120,
        "total_liabilities": 600,
        "current_liabilities": 250,
        "short_term_debt": 100,
        "long_term_debt": 200,
        "book_equity": 400,
        "market_equity": 500,
        "retained_earnings": 150,
        "sales": 1200,
        "ebit": 90,
        "interest_expense": 30,
        "net_income": 45,
        "operating_cash_flow": 80,
        "depreciation": 20,
    }
    raw.update(overrides)
    return raw


def _weak(**overrides: Any) -> dict[str, Any]:
    """A loss-making, illiquid company, fiscal year 2024."""
    raw = _healthy(
        current_assets=200,
        cash=20,
        inventory=100,
        receivables=50,
        total_liabilities=900,
        current_liabilities=400,
        book_equity=100,
        market_equity=50,
        retained_earnings=-100,
        sales=500,
        ebit=-20,
        net_income=-40,
        operating_cash_flow=-10,
    )
    raw.update(overrides)
    return raw


@pytest.fixture
def healthy() -> RawFactory:
    """Factory: the healthy 2024 statement as a raw dict, with keyword overrides."""
    return _healthy


@pytest.fixture
def weak() -> RawFactory:
    """Factory: the weak 2024 statement as a raw dict, with keyword overrides."""
    return _weak
