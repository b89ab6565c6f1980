"""Train a model on 70% of a typed table and validate it on the 30% held out (stratified, seeded).

``train`` returns the fitted model and its figures: the held-out ``summary`` (``metrics``), the training
AUC beside it (a gap is overfitting), PSI of the PD held-out against training, each feature's CSI, and
for a scorecard each feature's bins with their counts, WoE, points and IV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from app.risk.scorecard import PointsScale
from app.scoring import gbm, metrics, woe_scorecard
from app.scoring.binning import OTHER
from app.scoring.gbm import GradientBoosted
from app.scoring.problems import Exclusion, Problem, TableRefused
from app.scoring.table import TypedTable
from app.scoring.woe_scorecard import WoeScorecard

SCORECARD, GBM = "scorecard", "gbm"
ALGORITHMS = (SCORECARD, GBM)
HOLD_OUT = 0.3
SEED = 20261207

Model = WoeScorecard | GradientBoosted


@dataclass
class Trained:
    model: Model
    algorithm: str
    figures: dict[str, Any]
    excluded: list[Exclusion]
    n_train: int
    n_validation: int


def train(
    table: TypedTable,
    algorithm: str,
    seed: int = SEED,
    monotonic: set[str] | None = None,
    scale: PointsScale | None = None,
) -> Trained:
    positions = np.arange(len(table.target))
    fit_at, hold_at = train_test_split(
        positions, test_size=HOLD_OUT, stratify=table.target, random_state=seed
    )
    fit_at, hold_at = np.sort(fit_at), np.sort(hold_at)
    x_fit, x_hold = table.features.iloc[fit_at], table.features.iloc[hold_at]
    y_fit, y_hold = table.target[fit_at], table.target[hold_at]
    model: Model
    if algorithm == SCORECARD:
        _check_monotonic(monotonic, table.kinds)
        model = woe_scorecard.fit(x_fit, table.kinds, y_fit, monotonic, scale)
        excluded = list(table.excluded) + model.excluded
    elif algorithm == GBM:
        model = gbm.fit(x_fit, table.kinds, y_fit, seed)
        excluded = list(table.excluded)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}; one of {', '.join(ALGORITHMS)}")
    pd_fit, pd_hold = model.predict_pd(x_fit), model.predict_pd(x_hold)
    figures = metrics.summary(y_hold, pd_hold)
    figures["train_auc"] = metrics.auc(y_fit, pd_fit)
    expected, actual, cuts = metrics.shares_by_training_deciles(pd_fit, pd_hold)
    figures["psi"] = {
        "value": metrics.psi(expected, actual),
        "cuts": cuts,
        "train": expected.round(6).tolist(),
        "validation": actual.round(6).tolist(),
    }
    figures["csi"] = characteristic_stability(model, x_fit, x_hold)
    if isinstance(model, WoeScorecard):
        figures["bins"] = scorecard_bins(model)
    return Trained(model, algorithm, figures, excluded, len(fit_at), len(hold_at))


def _check_monotonic(monotonic: set[str] | None, kinds: dict[str, str]) -> None:
    """A column named monotonic is a numeric column the model may use: a misspelt or left-out one is refused,
    never silently binned free of order."""
    numeric = {name for name, kind in kinds.items() if kind == "numeric"}
    unknown = sorted((monotonic or set()) - numeric)
    if unknown:
        raise TableRefused([Problem("monotonic_unknown", name) for name in unknown])


def used_features(model: Model) -> list[str]:
    return list(model.coefficients) if isinstance(model, WoeScorecard) else list(model.kinds)


def characteristic_stability(model: Model, before: pd.DataFrame, after: pd.DataFrame) -> dict[str, float]:
    """CSI of each feature the model uses: its scorecard bins, else its deciles (numeric) or values."""
    out = {}
    for name in used_features(model):
        if isinstance(model, WoeScorecard):
            binning = model.binnings[name]
            count = len(binning.bins)
            expected = metrics.shares_of(binning.assign(before[name]), count)
            actual = metrics.shares_of(binning.assign(after[name]), count)
        elif model.kinds[name] == "numeric":
            b = before[name].to_numpy(dtype=float, na_value=np.nan)
            a = after[name].to_numpy(dtype=float, na_value=np.nan)
            below = float(np.nanmin(b)) - 1.0 if np.isfinite(b).any() else 0.0  # missing: a bin below all
            expected, actual, _ = metrics.shares_by_training_deciles(
                np.nan_to_num(b, nan=below), np.nan_to_num(a, nan=below)
            )
        else:
            expected, actual = _category_shares(before[name], after[name])
        out[name] = metrics.psi(expected, actual)
    return out


def scorecard_bins(model: WoeScorecard) -> list[dict[str, Any]]:
    """Each feature's bins as the model page and report show them."""
    out = []
    for name, binning in model.binnings.items():
        points = model.bin_points(name)
        out.append(
            {
                "feature": name,
                "kind": binning.kind,
                "iv": binning.iv,
                "monotonic": binning.monotonic,
                "coefficient": model.coefficients[name],
                "bins": [
                    {
                        "label": b.label,
                        "missing": b.missing,
                        "other": OTHER in b.values,
                        "rows": b.rows,
                        "bads": b.bads,
                        "bad_rate": b.bad_rate,
                        "woe": b.woe,
                        "points": p,
                    }
                    for b, p in zip(binning.bins, points, strict=True)
                ],
            }
        )
    return out


def _category_shares(before: pd.Series, after: pd.Series, most: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Shares of the training's ``most`` commonest values (missing one of them), the rest together."""
    texts = before.astype(object).fillna("").astype(str)
    known = {value: i for i, value in enumerate(texts.value_counts().index[:most])}
    rest = len(known)

    def shares(values: pd.Series) -> np.ndarray:
        codes = values.astype(object).fillna("").astype(str).map(lambda v: known.get(v, rest))
        return metrics.shares_of(codes.to_numpy(dtype=int), rest + 1)

    return shares(texts), shares(after)
