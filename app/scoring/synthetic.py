"""A credit book generated with a known relationship between its features and default, for the demo's
history, the tests and the benches.

Each row is a borrower at its decision date; ``defaulted`` is drawn from the true PD, whose log-odds are

    −3.1 + 4·(debt_to_asset − 0.55) − 0.5·ln(current_ratio) − 6·roa
    + industry risk (−0.6 … +1.1) + 0.4·[region in the north-east]
    + 1.3·[overdue_days_12m > 30] + 0.6·[0 < overdue_days_12m ≤ 30]
    + 0.8·[interest_coverage missing] + 0.9·[debt_to_asset > 0.7 and the industry cyclical]
    + 1.0·[debt_to_asset > 0.8] − 0.35·ln(revenue_cny / 10M) − 0.8·[interest_coverage = 9999]
    − 0.25·min(years_in_business, 20)/5

so leverage, liquidity, profit, arrears, size and the sector carry the risk, with thresholds, an interaction
and a missing value that means something; ``employees`` and ``founder_zodiac`` carry none. As in a bank's own
extracts, amounts are heavy-tailed (revenue spans four orders of magnitude and acts through its logarithm)
and a firm without interest-bearing debt has its coverage written as the sentinel 9999 (and is safer), so a
model must cope with raw columns as they come.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

INDUSTRIES = {
    "制造业": 0.0,
    "批发零售": 0.3,
    "建筑业": 0.8,
    "房地产": 1.1,
    "交通运输": 0.2,
    "信息技术": -0.4,
    "农林牧渔": 0.5,
    "住宿餐饮": 0.6,
    "医药": -0.6,
    "能源": 0.1,
    "采矿": 0.9,
    "教育": -0.2,
}
CYCLICAL = {"建筑业", "房地产", "采矿"}
REGIONS = ["广东", "江苏", "浙江", "山东", "北京", "上海", "辽宁", "黑龙江", "四川", "湖北"]
NORTH_EAST = {"辽宁", "黑龙江"}
NO_DEBT = 9999.0  # interest coverage as written for a firm with no interest expense
ZODIAC = ["鼠", "牛", "虎", "兔", "龙", "蛇", "马", "羊", "猴", "鸡", "狗", "猪"]


def true_logit(frame: pd.DataFrame) -> np.ndarray:
    """The log-odds of default the book is drawn from (module docstring)."""
    dta = frame["debt_to_asset"].to_numpy(dtype=float)
    overdue = frame["overdue_days_12m"].to_numpy(dtype=float)
    industry = frame["industry"].to_numpy(dtype=object)
    return (
        -3.1
        + 4.0 * (dta - 0.55)
        - 0.5 * np.log(frame["current_ratio"].to_numpy(dtype=float))
        - 6.0 * frame["roa"].to_numpy(dtype=float)
        + np.array([INDUSTRIES[i] for i in industry])
        + 0.4 * frame["region"].isin(NORTH_EAST).to_numpy()
        + 1.3 * (overdue > 30)
        + 0.6 * ((overdue > 0) & (overdue <= 30))
        + 0.8 * frame["interest_coverage"].isna().to_numpy()
        + 0.9 * ((dta > 0.7) & np.isin(industry, list(CYCLICAL)))
        + 1.0 * (dta > 0.8)
        - 0.35 * np.log(frame["revenue_cny"].to_numpy(dtype=float) / 1e7)
        - 0.8 * (frame["interest_coverage"].to_numpy(dtype=float) == NO_DEBT)
        - 0.25 * np.minimum(frame["years_in_business"].to_numpy(dtype=float), 20) / 5
    )


def book(rows: int, seed: int = 7) -> pd.DataFrame:
    """``rows`` borrowers with their features and ``defaulted`` (1/0) drawn from the true PD."""
    rng = np.random.default_rng(seed)
    industry = rng.choice(list(INDUSTRIES), size=rows, p=_weights(len(INDUSTRIES), rng))
    coverage = np.round(rng.lognormal(1.2, 0.9, rows), 2)
    coverage[rng.random(rows) < 0.12] = np.nan
    coverage[rng.random(rows) < 0.08] = NO_DEBT
    frame = pd.DataFrame(
        {
            "debt_to_asset": np.round(np.clip(rng.beta(5, 4, rows), 0.05, 1.3), 4),
            "current_ratio": np.round(rng.lognormal(0.25, 0.45, rows), 3),
            "roa": np.round(rng.normal(0.04, 0.05, rows), 4),
            "interest_coverage": coverage,
            "overdue_days_12m": np.where(rng.random(rows) < 0.8, 0, rng.integers(1, 120, rows)),
            "years_in_business": rng.integers(1, 35, rows),
            "revenue_cny": np.round(rng.lognormal(16.5, 1.6, rows), -3),
            "employees": rng.integers(5, 3000, rows),
            "industry": industry,
            "region": rng.choice(REGIONS, size=rows),
            "founder_zodiac": rng.choice(ZODIAC, size=rows),
        }
    )
    pd_true = 1.0 / (1.0 + np.exp(-true_logit(frame)))
    frame["defaulted"] = (rng.random(rows) < pd_true).astype(int)
    return frame


def _weights(count: int, rng: np.random.Generator) -> np.ndarray:
    weights = rng.uniform(0.5, 1.5, count)
    return weights / weights.sum()
