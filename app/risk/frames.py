"""The rating functions over a whole book at once: one row per customer, the same formulas as the per-customer
functions (a stress test rates every customer of the bank in one pass).

Each function here is the column-wise twin of one function that rates one customer, and reads its numbers
from there (never a second copy of a coefficient or a cut-off); ``tests/risk/test_frames.py`` checks, on
generated statements, that each equals its twin row by row:

* :func:`ratio_frame` — :func:`app.risk.ratios.compute_ratios` (a denominator that is zero or negative gives NaN
  where the twin gives None);
* :func:`z_frame` — :func:`app.risk.analysis._zscore_block`'s score and zone, the fallback from "z" to "z_prime"
  for a company without a market value of equity included (no model runs: NaN and None);
* :func:`score_frame` — :func:`app.risk.scorecard.score`'s PD and points (fallbacks for NaN, then bounds).

The input frame holds the line items of :data:`app.risk.statements.LINE_ITEMS` as floats, ``market_equity`` NaN
for an unlisted company.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from app.risk.analysis import Z_FALLBACKS
from app.risk.scorecard import NO_LIMIT, ScorecardModel
from app.risk.zscore import Z_MODELS

# (numerator, denominator) of each ratio, as in app.risk.ratios (a test checks they agree).
_RATIO_PARTS = {
    "debt_to_asset": (lambda f: f.total_liabilities, lambda f: f.total_assets),
    "current_ratio": (lambda f: f.current_assets, lambda f: f.current_liabilities),
    "quick_ratio": (lambda f: f.current_assets - f.inventory, lambda f: f.current_liabilities),
    "interest_coverage": (lambda f: f.ebit, lambda f: f.interest_expense),
    "roa": (lambda f: f.net_income, lambda f: f.total_assets),
    "roe": (lambda f: f.net_income, lambda f: f.book_equity),
    "dscr": (lambda f: f.operating_cash_flow, lambda f: f.interest_expense + f.short_term_debt),
    "leverage": (lambda f: f.total_liabilities, lambda f: f.book_equity),
}


def _divide(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator where the denominator is positive, else NaN (the twin's "undefined")."""
    positive = denominator > 0
    return (numerator / denominator.where(positive)).where(positive)


def ratio_frame(items: pd.DataFrame) -> pd.DataFrame:
    """Every ratio of :data:`app.risk.ratios.RATIO_NAMES`, one column each, indexed like ``items``."""
    return pd.DataFrame(
        {name: _divide(top(items), bottom(items)) for name, (top, bottom) in _RATIO_PARTS.items()},
        index=items.index,
    )


def _z_model_scores(items: pd.DataFrame, model: str) -> pd.Series:
    """The score of ``model`` on every row, NaN where it cannot run (no assets, no liabilities, no equity)."""
    spec = Z_MODELS[model]
    assets = items.total_assets.where(items.total_assets > 0)
    equity = items.market_equity if spec.x4_equity == "market_equity" else items.book_equity
    liabilities = items.total_liabilities.where(items.total_liabilities > 0)
    inputs = {
        "x1": (items.current_assets - items.current_liabilities) / assets,
        "x2": items.retained_earnings / assets,
        "x3": items.ebit / assets,
        "x4": equity / liabilities,
        "x5": items.sales / assets,
    }
    total = pd.Series(0.0, index=items.index)
    for name, weight in spec.weights.items():  # summed in the twin's order: the same float
        total = total + weight * inputs[name]
    return spec.constant + total


def z_frame(items: pd.DataFrame, models: pd.Series) -> pd.DataFrame:
    """Columns ``z_model`` (the model that ran), ``z_score`` (NaN: none could) and ``z_zone`` (None then), for
    each row's asked model (``models``, indexed like ``items``)."""
    score = pd.Series(np.nan, index=items.index)
    used = pd.Series(models, index=items.index, dtype=object).copy()
    for model in Z_MODELS:
        rows = used == model
        if rows.any():
            score[rows] = _z_model_scores(items[rows], model)
    no_market = used.isin(list(Z_FALLBACKS)) & items.market_equity.isna()
    for asked, fallback in Z_FALLBACKS.items():
        rows = no_market & (used == asked)
        if rows.any():
            score[rows] = _z_model_scores(items[rows], fallback)
            used[rows] = fallback
    zone = pd.Series(None, index=items.index, dtype=object)
    for model, spec in Z_MODELS.items():
        rows = (used == model) & score.notna()
        zone[rows & (score < spec.distress_below)] = "distress"
        zone[rows & (score > spec.safe_above)] = "safe"
        zone[rows & (score >= spec.distress_below) & (score <= spec.safe_above)] = "grey"
    zone = zone.astype(object).where(zone.notna(), None)
    return pd.DataFrame({"z_model": used, "z_score": score, "z_zone": zone}, index=items.index)


def sigmoid(logit: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−logit) on every element, in two branches (as the twin's) so that exp() never overflows."""
    positive = logit >= 0
    out = np.empty_like(logit)
    out[positive] = 1.0 / (1.0 + np.exp(-logit[positive]))
    z = np.exp(logit[~positive])
    out[~positive] = z / (1.0 + z)
    return out


def score_frame(model: ScorecardModel, features: pd.DataFrame) -> pd.DataFrame:
    """Columns ``pd`` and ``points`` of the scorecard on every row of ``features`` (ratio columns, NaN where the
    ratio is undefined: the model's fallback applies, as for the twin's None). A feature without a fallback that
    is NaN gives NaN (the twin raises)."""
    logit = np.full(len(features), float(model.intercept))
    for name, coefficient in model.coefficients.items():
        value = features[name].to_numpy(dtype=float)
        if name in model.fallbacks:
            value = np.where(np.isnan(value), float(model.fallbacks[name]), value)
        low, high = model.bounds.get(name, NO_LIMIT)
        value = np.minimum(np.maximum(value, low), high)
        logit = logit + coefficient * value
    return pd.DataFrame(
        {"pd": sigmoid(logit), "points": model.offset - model.factor * logit}, index=features.index
    )
