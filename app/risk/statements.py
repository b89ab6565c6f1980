"""Annual financial statements: the line items the risk functions read, parsed and checked.

A statement arrives as a mapping (a form submission, a JSON file, an import row) and
leaves as a frozen :class:`Statement` whose figures are known to be present, finite and
mutually consistent, so that the ratio and Z-score functions need not re-check them.
All amounts are in one currency unit per statement; ratios do not care which.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from app.risk.errors import RiskInputError

LINE_ITEMS: tuple[str, ...] = (
    "total_assets",
    "current_assets",
    "cash",
    "inventory",
    "receivables",
    "total_liabilities",
    "current_liabilities",
    "short_term_debt",
    "long_term_debt",
    "book_equity",
    "market_equity",
    "retained_earnings",
    "sales",
    "ebit",
    "interest_expense",
    "net_income",
    "operating_cash_flow",
    "depreciation",
)

LINE_ITEM_TITLES: dict[str, tuple[str, str]] = {
    "total_assets": ("Total assets", "资产总计"),
    "current_assets": ("Current assets", "流动资产合计"),
    "cash": ("Cash and cash equivalents", "货币资金"),
    "inventory": ("Inventory", "存货"),
    "receivables": ("Accounts receivable", "应收账款"),
    "total_liabilities": ("Total liabilities", "负债合计"),
    "current_liabilities": ("Current liabilities", "流动负债合计"),
    "short_term_debt": ("Short-term borrowings", "短期借款"),
    "long_term_debt": ("Long-term borrowings", "长期借款"),
    "book_equity": ("Total equity (book value)", "所有者权益合计"),
    "market_equity": ("Market value of equity", "股权市值"),
    "retained_earnings": ("Retained earnings", "留存收益"),
    "sales": ("Operating revenue", "营业收入"),
    "ebit": ("Earnings before interest and tax", "息税前利润"),
    "interest_expense": ("Interest expense", "利息费用"),
    "net_income": ("Net profit", "净利润"),
    "operating_cash_flow": ("Net cash flow from operating activities", "经营活动产生的现金流量净额"),
    "depreciation": ("Depreciation and amortisation", "折旧与摊销"),
}

# Figures that cannot be negative on a real balance sheet or income statement.
# Equity, retained earnings, EBIT, net income and operating cash flow can.
NON_NEGATIVE_ITEMS: frozenset[str] = frozenset(
    {
        "total_assets",
        "current_assets",
        "cash",
        "inventory",
        "receivables",
        "total_liabilities",
        "current_liabilities",
        "short_term_debt",
        "long_term_debt",
        "market_equity",
        "sales",
        "interest_expense",
        "depreciation",
    }
)

# Only unlisted companies lack a market value of equity; every other item is required.
OPTIONAL_ITEMS: frozenset[str] = frozenset({"market_equity"})

MIN_FISCAL_YEAR = 1900
MAX_FISCAL_YEAR = 2100


@dataclass(frozen=True, kw_only=True)
class Statement:
    """One fiscal year's figures; build it with :func:`parse_statement`.

    ``market_equity`` is ``None`` for a company that is not listed.
    """

    fiscal_year: int
    total_assets: float
    current_assets: float
    cash: float
    inventory: float
    receivables: float
    total_liabilities: float
    current_liabilities: float
    short_term_debt: float
    long_term_debt: float
    book_equity: float
    market_equity: float | None = None
    retained_earnings: float
    sales: float
    ebit: float
    interest_expense: float
    net_income: float
    operating_cash_flow: float
    depreciation: float

    def as_dict(self) -> dict[str, Any]:
        """Return ``{"fiscal_year": ..., <line item>: ...}``, ready for ``json.dumps``."""
        return asdict(self)


def parse_statement(raw: Mapping[str, Any]) -> Statement:
    """Check a mapping of line items and return a :class:`Statement`.

    Accepts numbers or numeric strings (surrounding spaces and thousands commas are
    ignored); keys other than ``fiscal_year`` and :data:`LINE_ITEMS` are ignored.

    Raises :class:`RiskInputError` naming the field when a figure is missing or not a
    finite number, when a :data:`NON_NEGATIVE_ITEMS` figure is negative, when
    total_assets <= 0, or when a part exceeds its whole (:data:`PARTS_OF`; the first one
    found). Whether the balance sheet balances needs the policy's tolerance: see
    :func:`inconsistencies`.
    """
    statement = read_statement(raw)
    _check_consistency(statement)
    return statement


def read_statement(raw: Mapping[str, Any]) -> Statement:
    """Like :func:`parse_statement`, without checking the figures against each other (so that
    :func:`inconsistencies` can list every contradiction at once)."""
    if not isinstance(raw, Mapping):
        raise RiskInputError("statement", "must be an object mapping line items to amounts")
    fiscal_year = _to_fiscal_year(raw.get("fiscal_year"))
    figures: dict[str, float | None] = {}
    for item in LINE_ITEMS:
        value = raw.get(item)
        if _is_blank(value):
            if item in OPTIONAL_ITEMS:
                figures[item] = None
                continue
            raise RiskInputError(item, "is missing")
        amount = _to_float(item, value)
        if item in NON_NEGATIVE_ITEMS and amount < 0:
            raise RiskInputError(item, f"is {amount:g}, must not be negative")
        figures[item] = amount
    return Statement(fiscal_year=fiscal_year, **figures)  # type: ignore[arg-type]


def _check_consistency(st: Statement) -> None:
    if st.total_assets <= 0:
        raise RiskInputError("total_assets", f"is {st.total_assets:g}, must be positive")
    found = inconsistencies(st)
    if found:
        first = found[0]
        raise RiskInputError(first.field, first.describe())


# Lines that are parts of another line on a Chinese balance sheet (企业会计准则 presentation): the
# parts together may not exceed their whole. Short-term borrowings are a current liability; long-term
# borrowings a non-current one, so with the current liabilities they fit in total liabilities.
PARTS_OF: tuple[tuple[tuple[str, ...], str], ...] = (
    (("current_assets",), "total_assets"),
    (("cash", "inventory", "receivables"), "current_assets"),
    (("current_liabilities",), "total_liabilities"),
    (("short_term_debt",), "current_liabilities"),
    (("current_liabilities", "long_term_debt"), "total_liabilities"),
)
# The balance-sheet identity: total assets = total liabilities + owners' equity (资产 = 负债 + 所有者权益).
BALANCE: tuple[str, tuple[str, ...]] = ("total_assets", ("total_liabilities", "book_equity"))


@dataclass(frozen=True)
class Inconsistency:
    """Figures of one statement that contradict each other.

    ``kind`` is "exceeds" (``parts`` add up to ``figure``, above their ``whole``'s ``bound``) or
    "unbalanced" (total assets ``bound`` differ from liabilities plus equity ``figure`` by more than
    ``tolerance``). ``field`` is the line a form marks: the part, the whole of several parts, or
    total assets.
    """

    fiscal_year: int
    kind: str
    field: str
    parts: tuple[str, ...]
    whole: str
    figure: float
    bound: float
    tolerance: float = 0.0

    def describe(self) -> str:
        parts = " + ".join(self.parts)
        if self.kind == "unbalanced":
            return (
                f"{self.whole} {self.bound:g} differs from {parts} {self.figure:g} by more than "
                f"{self.tolerance:g} (fiscal year {self.fiscal_year})"
            )
        return f"{parts} {self.figure:g} exceeds {self.whole} {self.bound:g} (fiscal year {self.fiscal_year})"


def inconsistencies(st: Statement, balance_tolerance: float | None = None) -> list[Inconsistency]:
    """Every part that exceeds its whole (:data:`PARTS_OF`), and, when ``balance_tolerance`` (an
    amount) is given, total assets that differ from liabilities plus equity by more than it."""
    found = []
    for parts, whole in PARTS_OF:
        figure, bound = sum(getattr(st, p) for p in parts), getattr(st, whole)
        if figure > bound:
            field = parts[0] if len(parts) == 1 else whole
            found.append(Inconsistency(st.fiscal_year, "exceeds", field, parts, whole, figure, bound))
    if balance_tolerance is not None:
        whole, parts = BALANCE
        figure, bound = sum(getattr(st, p) for p in parts), getattr(st, whole)
        if abs(bound - figure) > balance_tolerance:
            found.append(
                Inconsistency(
                    st.fiscal_year, "unbalanced", whole, parts, whole, figure, bound, balance_tolerance
                )
            )
    return found


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_float(field: str, value: Any) -> float:
    # bool is an int subclass; True as an amount is always a form bug.
    if isinstance(value, bool):
        raise RiskInputError(field, f"is not a number: {value!r}")
    if isinstance(value, numbers.Real):
        amount = float(value)
    elif isinstance(value, str):
        try:
            amount = float(value.strip().replace(",", ""))
        except ValueError:
            raise RiskInputError(field, f"is not a number: {value!r}") from None
    else:
        raise RiskInputError(field, f"is not a number: {value!r}")
    if not math.isfinite(amount):
        raise RiskInputError(field, f"is not a finite number: {value!r}")
    return amount


def _to_fiscal_year(value: Any) -> int:
    if _is_blank(value):
        raise RiskInputError("fiscal_year", "is missing")
    year: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, float) and value.is_integer():
        year = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    if year is None:
        raise RiskInputError("fiscal_year", f"is not a year: {value!r}")
    if not MIN_FISCAL_YEAR <= year <= MAX_FISCAL_YEAR:
        raise RiskInputError(
            "fiscal_year", f"is {year}, must be between {MIN_FISCAL_YEAR} and {MAX_FISCAL_YEAR}"
        )
    return year
