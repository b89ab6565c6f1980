"""Stress test at scale: one scenario over a synthetic book of 100 000 customers, in memory.

Run from the repository root::

    .venv/bin/python bench/stress_test.py                     # 100 000 customers
    .venv/bin/python bench/stress_test.py --customers 20000

Builds the book frame ``stress_compute.run`` reads (industry, a statement's line items, Z model, live limit,
utilization, collateral, days past due, the class on file and the warning rules' other inputs) with numpy from a
fixed seed, no database, then times ``stress_compute.run`` (ratios → Z → PD → grade through
``rules/credit_rating.dmn`` → class through ``rules/stress_classification.dmn`` → EL, and ``rules/warning_rules.dmn``
before and after) and ``stress_compute.summary`` under the "real estate −30 % sales, +200 bp" scenario. The goal is
under a minute. What is not timed: reading the book from the database (``stress_book``) and writing the outcomes.
Never asserts: it prints figures and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.services.analytics.stress import stress_compute  # noqa: E402
from app.services.customers.relationship.book_filter import INDUSTRIES  # noqa: E402

SCENARIO = [
    {"industry": "real_estate", "sales_pct": -30, "ebit_pct": 0, "rate_bp": 200, "collateral_pct": -20}
]


def synthetic_book(n: int, seed: int = 16) -> pd.DataFrame:
    """``n`` customers with plausible, mutually consistent statements."""
    rng = np.random.default_rng(seed)
    assets = rng.lognormal(18, 1.2, n)
    debt_ratio = rng.uniform(0.2, 0.95, n)
    liabilities = assets * debt_ratio
    current_assets = assets * rng.uniform(0.2, 0.7, n)
    current_liabilities = liabilities * rng.uniform(0.3, 0.8, n)
    short_term = current_liabilities * rng.uniform(0.2, 0.7, n)
    long_term = (liabilities - current_liabilities) * rng.uniform(0.3, 0.9, n)
    sales = assets * rng.uniform(0.3, 2.0, n)
    ebit = sales * rng.normal(0.08, 0.06, n)
    interest = (short_term + long_term) * rng.uniform(0.03, 0.07, n)
    equity = assets - liabilities
    limit = assets * rng.uniform(0.05, 0.3, n)
    book = pd.DataFrame(
        {
            "industry": rng.choice(INDUSTRIES, n),
            "total_assets": assets,
            "current_assets": current_assets,
            "cash": current_assets * 0.3,
            "inventory": current_assets * 0.3,
            "receivables": current_assets * 0.3,
            "total_liabilities": liabilities,
            "current_liabilities": current_liabilities,
            "short_term_debt": short_term,
            "long_term_debt": long_term,
            "book_equity": equity,
            "market_equity": np.where(rng.random(n) < 0.1, equity * 1.5, np.nan),
            "retained_earnings": equity * 0.4,
            "sales": sales,
            "ebit": ebit,
            "interest_expense": interest,
            "net_income": (ebit - interest) * 0.75,
            "operating_cash_flow": ebit * 0.9,
            "depreciation": assets * 0.02,
            "z_model": rng.choice(["z_prime", "z_double_prime", "z"], n),
            "live_limit": limit,
            "utilization_pct": np.where(rng.random(n) < 0.7, rng.uniform(20, 100, n), np.nan),
            "collateral_value": np.where(rng.random(n) < 0.5, limit * rng.uniform(0.3, 1.5, n), np.nan),
            "days_past_due": np.where(rng.random(n) < 0.05, rng.integers(1, 400, n), 0),
            "loan_class": rng.choice(["normal", "special_mention", None], n, p=[0.8, 0.1, 0.1]),
            "quick_ratio_change": rng.normal(0, 0.2, n),
        },
        index=pd.RangeIndex(1, n + 1, name="customer_id"),
    )
    book["debt_to_asset"] = book.total_liabilities / book.total_assets
    book["current_ratio"] = book.current_assets / book.current_liabilities
    book["collateral_coverage"] = book.collateral_value / book.live_limit
    for name in stress_compute.INPUTS:
        if name not in book:
            book[name] = None
    return book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    built = time.perf_counter()
    book = synthetic_book(args.customers)
    tables = stress_compute.Tables.load(ROOT / "rules")
    start = time.perf_counter()
    outcome = stress_compute.run(book, SCENARIO, tables)
    summary = stress_compute.summary(outcome)
    seconds = time.perf_counter() - start
    print(f"book of {len(book):,} customers built in {start - built:.1f} s")
    print(
        f"scenario run and summarised in {seconds:.1f} s ({len(book) / seconds:,.0f} customers/s; goal < 60 s)"
    )
    print(
        f"EL {summary['el_before']:,.0f} -> {summary['el_after']:,.0f}; "
        f"NPL ratio {summary['npl_before']:.2f}% -> {summary['npl_after']:.2f}%; "
        f"downgraded {summary['downgraded']:,}; newly breaching a warning rule {summary['breaching']:,}"
    )


if __name__ == "__main__":
    main()
