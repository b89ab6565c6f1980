"""Early-warning rules over a whole portfolio: vectorized evaluation vs the per-row engine.

Run from the repository root::

    .venv/bin/python bench/warning_rules.py                          # 10k, 100k, 1M customers
    .venv/bin/python bench/warning_rules.py --sizes 10000 100000 --repeat 5 --frame typed

``rules/warning_rules.dmn`` (COLLECT, 13 inputs, 15 rules) is compiled once with
``app.engine.dmn.vectorized.compile_decision`` and evaluated over generated portfolio frames
(seeded, so every run sees the same customers): industries in realistic shares, debt-to-asset,
current ratio, quick-ratio change, utilization, days past due, overdue interest, enforcement
records, tax and utility arrears, negative news, collateral coverage and external rating drop,
with the missing figures a real portfolio has (no prior year, unsecured, unrated: NaN / None).

Two frame layouts (``--frame``):

* **typed** - float64 columns with NaN, a str column, an object column for negative news;
* **object** - every column object with ``None`` for missing, as ``app.services.monitoring.portfolio_inputs``
  builds its frame (``astype(object).where(notna, None)``).

**Vectorized**: ``VectorizedDecision.evaluate(frame)``, median of ``--repeat`` runs after a
warm-up, at every size; printed as seconds and as milliseconds per 10k customers.
**Per-row**: ``evaluate_rows`` (``Decision.evaluate`` on each row's context, what a job looping
over customers would do) at the sizes up to ``--per-row-max`` (default 10k) only: at 1M it takes
minutes; the speed-up is per-row time / vectorized time at the same size in the same run, and
the two results are checked equal there. Prints figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from app.engine.dmn import load_dmn  # noqa: E402
from app.engine.dmn.vectorized import compile_decision, evaluate_rows  # noqa: E402

RULES = ROOT / "rules" / "warning_rules.dmn"
INDUSTRIES = {
    "manufacturing": 0.28,
    "wholesale_retail": 0.2,
    "construction": 0.1,
    "real_estate": 0.07,
    "technology": 0.1,
    "services": 0.12,
    "agriculture": 0.05,
    "transport": 0.05,
    "mining": 0.02,
    "utilities": 0.01,
}


def portfolio(n: int, seed: int = 20261130) -> pd.DataFrame:
    """``n`` customers' latest figures, typed columns (NaN / None where a figure is missing)."""
    rng = np.random.default_rng(seed)

    def missing(values: np.ndarray, share: float) -> np.ndarray:
        return np.where(rng.random(n) < share, np.nan, values)

    def sometimes(share: float, values: np.ndarray) -> np.ndarray:
        return np.where(rng.random(n) < share, values, 0.0)

    industry = rng.choice(list(INDUSTRIES), n, p=list(INDUSTRIES.values())).astype(object)
    industry[rng.random(n) < 0.01] = None
    news = np.where(rng.random(n) < 0.03, True, False).astype(object)
    news[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "industry": pd.Series(industry, dtype="str"),
            "debt_to_asset": missing(rng.beta(5, 4, n).round(4), 0.03),
            "current_ratio": missing(rng.lognormal(np.log(1.4), 0.35, n).round(3), 0.05),
            "quick_ratio_change": missing(rng.normal(0, 0.18, n).round(4), 0.10),
            "utilization_pct": missing(np.clip(rng.beta(2.2, 1.6, n) * 105, 0, 110).round(1), 0.02),
            "days_past_due": sometimes(0.07, rng.geometric(0.05, n).clip(1, 180).astype(float)),
            "overdue_interest": sometimes(0.03, rng.exponential(50_000, n).round(2)),
            "new_enforcement_records": rng.poisson(0.03, n).astype(float),
            "tax_arrears": sometimes(0.02, rng.exponential(20_000, n).round(2)),
            "utility_arrears": sometimes(0.02, rng.exponential(3_000, n).round(2)),
            "negative_news": news,
            "collateral_coverage": missing(rng.lognormal(np.log(1.5), 0.4, n).round(3), 0.30),
            "external_rating_drop": missing(rng.choice([0, 0, 0, 0, 1, 1, 2, 3], n).astype(float), 0.50),
            "inspection_finding": pd.Series(
                rng.choice([None, None, None, None, "low", "medium", "high"], n), dtype="object"
            ),
            "in_guarantee_circle": rng.random(n) < 0.01,
            "long_guarantee_chain": rng.random(n) < 0.05,
            "dishonest_debtor": rng.random(n) < 0.005,
        },
        index=pd.RangeIndex(100_000, 100_000 + n, name="customer_id"),
    )


def as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """The layout ``app.services.monitoring.portfolio_inputs`` hands the rules: object columns, None for
    missing."""
    return frame.astype(object).where(frame.notna(), None)


def timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    return list(a.columns) == list(b.columns) and all(
        [(type(x), repr(x)) for x in a[c].tolist()] == [(type(x), repr(x)) for x in b[c].tolist()]
        for c in a.columns
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3, help="vectorized runs per size (median)")
    parser.add_argument("--per-row-max", type=int, default=10_000, help="largest size run per row")
    parser.add_argument("--frame", choices=["typed", "object", "both"], default="both")
    args = parser.parse_args(argv)

    decision = compile_decision(load_dmn(RULES.read_bytes(), RULES.name), "warning_rules")
    layouts = ["typed", "object"] if args.frame == "both" else [args.frame]
    print(
        f"warning_rules ({len(decision.decision.rules)} rules, {decision.decision.hit_policy}, "
        f"{len(decision.decision.inputs)} inputs; vectorized: {decision.per_row is None}), "
        f"{os.cpu_count()} cpu(s), python {sys.version.split()[0]}, pandas {pd.__version__}, "
        f"numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"{'frame':<8}{'customers':>11}{'vector s':>10}{'ms/10k':>9}{'warnings':>10}"
        f"{'per-row s':>11}{'ms/10k':>9}{'speed-up':>10}  same"
    )
    per_row_rate: dict[str, float] = {}
    for layout in layouts:
        for n in args.sizes:
            frame = portfolio(n)
            if layout == "object":
                frame = as_objects(frame)
            decision.evaluate(frame.iloc[:1000])  # warm-up
            vector_s, result = timed(lambda f=frame: decision.evaluate(f), args.repeat)
            line = f"{layout:<8}{n:>11,}{vector_s:>10.3f}{vector_s / n * 1e7:>9.1f}{len(result):>10,}"  # type: ignore[arg-type]
            if n <= args.per_row_max:
                row_s, reference = timed(lambda f=frame: evaluate_rows(decision, f), 1)
                per_row_rate[layout] = row_s / n
                line += (
                    f"{row_s:>11.2f}{row_s / n * 1e7:>9.0f}{row_s / vector_s:>9.0f}x"
                    f"  {same(result, reference)}"  # type: ignore[arg-type]
                )
            elif layout in per_row_rate:
                estimate = per_row_rate[layout] * n
                line += (
                    f"{'(~' + format(estimate, '.0f') + ' s)':>11}{'not run':>9}{estimate / vector_s:>9.0f}x~"
                )
            print(line)
    print("per-row runs only up to --per-row-max; '(~N s)' and 'x~' extrapolate its rate linearly.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
