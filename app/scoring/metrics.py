"""Validation figures of a model's PD on held-out rows (y: 1 = bad), each computed here from its definition.

- **AUC**: the chance a random bad scores a higher PD than a random good (ties count half) — the
  Mann–Whitney U over the mid-ranks of the PDs: AUC = (R_bad − n_bad(n_bad + 1)/2) / (n_bad · n_good).
- **Gini** = 2·AUC − 1.
- **ROC**: at each distinct PD taken as a cut (PD ≥ cut is called bad), TPR = bads called bad / bads and
  FPR = goods called bad / goods. **KS** = max(TPR − FPR), and the **KS curve** is both cumulative shares
  against the share of rows called bad.
- **Calibration** by decile of predicted PD: each decile's mean PD (expected) against its default rate
  (observed). **Hosmer–Lemeshow**: H = Σ_g (O_g − E_g)² / (E_g (1 − E_g / n_g)) over the deciles,
  p from χ² with (groups − 2) degrees of freedom.
- **PSI** of a distribution against the training's: the training's deciles cut the values into bins; with
  e_i and a_i their training and validation shares (floored at 1e-4),
  PSI = Σ (a_i − e_i) · ln(a_i / e_i)  (< 0.1 stable, 0.1–0.25 watch, > 0.25 shifted). **CSI** is the same
  for one feature (its scorecard bins, or its deciles or categories).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2, rankdata

CURVE_POINTS = 21  # the curves kept for the page and the report, every 5%: the ROC at each FPR, the KS at each share called bad
FLOOR = 1e-4


def auc(y: np.ndarray, pd_: np.ndarray) -> float:
    ranks = rankdata(pd_)
    bads = int(y.sum())
    goods = len(y) - bads
    return float((ranks[y == 1].sum() - bads * (bads + 1) / 2) / (bads * goods))


def roc(y: np.ndarray, pd_: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """FPR, TPR and the cut of every distinct PD, highest cut first, starting at (0, 0)."""
    order = np.argsort(-pd_, kind="mergesort")
    scores, labels = pd_[order], y[order]
    last_of_cut = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    tps = np.cumsum(labels)[last_of_cut]
    fps = (last_of_cut + 1) - tps
    tpr = np.r_[0.0, tps / max(labels.sum(), 1)]
    fpr = np.r_[0.0, fps / max(len(labels) - labels.sum(), 1)]
    return fpr, tpr, np.r_[np.inf, scores[last_of_cut]]


def ks(y: np.ndarray, pd_: np.ndarray) -> float:
    fpr, tpr, _ = roc(y, pd_)
    return float(np.max(tpr - fpr))


def deciles(y: np.ndarray, pd_: np.ndarray, groups: int = 10) -> pd.DataFrame:
    """Rows sorted by PD cut into ``groups`` groups of equal size: rows, mean PD, defaults, default rate."""
    order = np.argsort(pd_, kind="mergesort")
    group = np.empty(len(y), dtype=int)
    group[order] = np.arange(len(y)) * groups // len(y)
    frame = pd.DataFrame({"group": group + 1, "pd": pd_, "bad": y})
    table = frame.groupby("group").agg(rows=("bad", "size"), expected=("pd", "mean"), defaults=("bad", "sum"))
    table["observed"] = table["defaults"] / table["rows"]
    return table.reset_index()


def hosmer_lemeshow(table: pd.DataFrame) -> tuple[float, float]:
    expected = table["expected"] * table["rows"]
    variance = expected * (1 - table["expected"])
    statistic = float((((table["defaults"] - expected) ** 2) / variance.where(variance > 0)).fillna(0).sum())
    return statistic, float(chi2.sf(statistic, max(len(table) - 2, 1)))


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """PSI of two distributions' shares over the same bins."""
    e = np.maximum(np.asarray(expected, dtype=float), FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def shares_by_training_deciles(
    train: np.ndarray, other: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Shares of ``train`` and ``other`` over the training's decile bins, and the cut points."""
    cuts = np.unique(np.quantile(train, np.linspace(0, 1, 11)[1:-1]))
    return shares_over(cuts, train), shares_over(cuts, other), cuts.tolist()


def shares_over(cuts: np.ndarray | list[float], values: np.ndarray) -> np.ndarray:
    """Shares of ``values`` in the bins the ascending ``cuts`` make (a value equal to a cut falls above it)."""
    edges = np.asarray(cuts, dtype=float)
    return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1) / max(
        len(values), 1
    )


def shares_of(index: np.ndarray, bins: int) -> np.ndarray:
    return np.bincount(index, minlength=bins) / max(len(index), 1)


def summary(y: np.ndarray, pd_: np.ndarray) -> dict[str, Any]:
    """AUC, KS, Gini, the curves (``CURVE_POINTS`` points each, interpolated on an even grid), deciles and
    Hosmer–Lemeshow."""
    area = auc(y, pd_)
    fpr, tpr, _ = roc(y, pd_)
    bads = int(y.sum())
    called = (tpr * bads + fpr * (len(y) - bads)) / len(y)
    grid = np.linspace(0.0, 1.0, CURVE_POINTS)
    table = deciles(y, pd_)
    statistic, p_value = hosmer_lemeshow(table)
    return {
        "auc": area,
        "gini": 2 * area - 1,
        "ks": float(np.max(tpr - fpr)),
        "rows": int(len(y)),
        "defaults": bads,
        "roc": {"fpr": grid.round(4).tolist(), "tpr": np.interp(grid, fpr, tpr).round(5).tolist()},
        "ks_curve": {
            "called": grid.round(4).tolist(),
            "bad": np.interp(grid, called, tpr).round(5).tolist(),
            "good": np.interp(grid, called, fpr).round(5).tolist(),
        },
        "deciles": table.round(6).to_dict(orient="records"),
        "hosmer_lemeshow": {"statistic": statistic, "p_value": p_value},
    }
