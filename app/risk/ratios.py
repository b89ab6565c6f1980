"""Financial ratios, each defined once, from one :class:`~app.risk.statements.Statement`.

All ratios use period-end balances of the same statement (no averaging across years), so
every ratio can be computed from a single annual report. A ratio whose denominator is
zero or negative is undefined: the single-ratio functions raise :class:`RiskInputError`
naming the denominator field; :func:`compute_ratios` reports it as ``None`` ("n/a").
"""

from __future__ import annotations

from collections.abc import Callable

from app.risk.errors import RiskInputError
from app.risk.statements import Statement

RATIO_NAMES: tuple[str, ...] = (
    "debt_to_asset",
    "current_ratio",
    "quick_ratio",
    "interest_coverage",
    "roa",
    "roe",
    "dscr",
    "leverage",
)

RATIO_TITLES: dict[str, tuple[str, str]] = {
    "debt_to_asset": ("Debt-to-asset ratio", "资产负债率"),
    "current_ratio": ("Current ratio", "流动比率"),
    "quick_ratio": ("Quick ratio", "速动比率"),
    "interest_coverage": ("Interest coverage", "利息保障倍数"),
    "roa": ("Return on assets", "总资产收益率"),
    "roe": ("Return on equity", "净资产收益率"),
    "dscr": ("Debt service coverage ratio", "偿债覆盖率"),
    "leverage": ("Leverage (liabilities to equity)", "产权比率"),
}

# How each ratio reads: a share of a whole (shown as a percentage), one amount over a like one
# (a plain multiple), or a coverage (times). See app.formatting.
RATIO_KINDS: dict[str, str] = {
    "debt_to_asset": "share",
    "current_ratio": "multiple",
    "quick_ratio": "multiple",
    "interest_coverage": "times",
    "roa": "share",
    "roe": "share",
    "dscr": "times",
    "leverage": "multiple",
}


def _divide(numerator: float, denominator: float, field: str, ratio: str) -> float:
    """numerator / denominator, refusing a denominator that is zero or negative."""
    if denominator == 0:
        raise RiskInputError(field, f"is 0, {ratio} undefined")
    if denominator < 0:
        raise RiskInputError(field, f"is negative ({denominator:g}), {ratio} undefined")
    return numerator / denominator


def debt_to_asset(st: Statement) -> float:
    """资产负债率 = total_liabilities / total_assets."""
    return _divide(st.total_liabilities, st.total_assets, "total_assets", "debt-to-asset ratio")


def current_ratio(st: Statement) -> float:
    """流动比率 = current_assets / current_liabilities."""
    return _divide(st.current_assets, st.current_liabilities, "current_liabilities", "current ratio")


def quick_ratio(st: Statement) -> float:
    """速动比率 = (current_assets − inventory) / current_liabilities."""
    return _divide(
        st.current_assets - st.inventory,
        st.current_liabilities,
        "current_liabilities",
        "quick ratio",
    )


def interest_coverage(st: Statement) -> float:
    """利息保障倍数 = ebit / interest_expense."""
    return _divide(st.ebit, st.interest_expense, "interest_expense", "interest coverage")


def roa(st: Statement) -> float:
    """总资产收益率 ROA = net_income / total_assets (period-end assets)."""
    return _divide(st.net_income, st.total_assets, "total_assets", "ROA")


def roe(st: Statement) -> float:
    """净资产收益率 ROE = net_income / book_equity (period-end equity).

    Undefined when book equity is zero or negative (a loss over negative equity
    would otherwise read as a positive return).
    """
    return _divide(st.net_income, st.book_equity, "book_equity", "ROE")


def dscr(st: Statement) -> float:
    """Debt service coverage = operating_cash_flow / (interest_expense + short_term_debt).

    Debt service due within a year is approximated from one balance sheet as this
    year's interest plus the short-term borrowings that fall due within twelve months,
    the conventional proxy when no repayment schedule is on file. Operating cash flow
    is used as reported (it already adds back depreciation). When the debt service is
    zero the error names ``short_term_debt``, the principal part of the denominator.
    """
    return _divide(
        st.operating_cash_flow,
        st.interest_expense + st.short_term_debt,
        "short_term_debt",
        "DSCR (interest_expense + short_term_debt)",
    )


def leverage(st: Statement) -> float:
    """产权比率 leverage = total_liabilities / book_equity."""
    return _divide(st.total_liabilities, st.book_equity, "book_equity", "leverage")


RATIO_FUNCTIONS: dict[str, Callable[[Statement], float]] = {
    "debt_to_asset": debt_to_asset,
    "current_ratio": current_ratio,
    "quick_ratio": quick_ratio,
    "interest_coverage": interest_coverage,
    "roa": roa,
    "roe": roe,
    "dscr": dscr,
    "leverage": leverage,
}


def compute_ratios(st: Statement) -> dict[str, float | None]:
    """Every ratio in :data:`RATIO_NAMES` order; ``None`` where the ratio is undefined.

    Each value is the formula of the function of the same name; a denominator that is
    zero or negative (no interest expense, no current liabilities, negative equity...)
    yields ``None`` instead of an error, so that a screen can show "n/a".
    """
    ratios: dict[str, float | None] = {}
    for name in RATIO_NAMES:
        try:
            ratios[name] = RATIO_FUNCTIONS[name](st)
        except RiskInputError:
            ratios[name] = None
    return ratios
