"""A WoE logistic scorecard (评分卡): bins per feature, a logistic regression on their WoE, points by PDO.

Fit: every feature is binned (``binning``); a feature left in one bin is left out (``no_relation``: no two
of its bins differ), as is one with IV under ``MIN_IV`` (``weak``); a
logistic regression of default on the WoE columns is fitted (L2, scikit-learn's lbfgs); a feature whose
coefficient comes out with the wrong sign (WoE rises with goods, so its coefficient on default must be
negative) is left out (``wrong_sign``, the sign of collinearity) and the rest refitted. The regression's L2
penalty (``C``) is chosen on books drawn with a known relationship (``bench/scoring_models.py``).

Points (the scale of ``app.risk.scorecard``, ``PointsScale``: ``base_score`` at odds ``base_odds`` good:bad, ``pdo`` points
more per doubling of the odds), with logit = b0 + Σ b_j·WoE_j the log-odds of default:

    factor = pdo / ln 2,   offset = base_score − factor · ln(base_odds)
    points = offset − factor · logit = Σ_j points_j(bin),
    points_j(bin) = −factor · b_j · WoE_j(bin) + (offset − factor · b0) / n      (n features)

so each bin's points are shown and a customer's score is their sum; PD = 1 / (1 + e^−logit).
**Reason codes**: for a scored row, the features where it lost most points against the feature's best bin.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from app.risk.frames import sigmoid
from app.risk.scorecard import PointsScale
from app.scoring.binning import Binning, bin_feature
from app.scoring.problems import Exclusion, Problem, TableRefused

MIN_IV = 0.02
C = 0.1  # L2 on the WoE coefficients: it shrinks a small sample's noise; past a few thousand rows it hardly acts


@dataclass
class WoeScorecard:
    binnings: dict[str, Binning]
    coefficients: dict[str, float]
    intercept: float
    scale: PointsScale
    excluded: list[Exclusion]

    def logit(self, features: pd.DataFrame) -> np.ndarray:
        logit = np.full(len(features), self.intercept, dtype=float)
        for name, coefficient in self.coefficients.items():
            logit += coefficient * self.binnings[name].woe_of(features[name])
        return logit

    def predict_pd(self, features: pd.DataFrame) -> np.ndarray:
        return sigmoid(self.logit(features))

    def points(self, features: pd.DataFrame) -> np.ndarray:
        return self.scale.offset - self.scale.factor * self.logit(features)

    def bin_points(self, name: str) -> list[float]:
        """Each bin's points for feature ``name`` (formula in the module docstring)."""
        share = (self.scale.offset - self.scale.factor * self.intercept) / len(self.coefficients)
        return [
            -self.scale.factor * self.coefficients[name] * b.woe + share for b in self.binnings[name].bins
        ]

    def reasons(self, features: pd.DataFrame, top: int = 3) -> list[list[tuple[str, float]]]:
        """Per row, the ``top`` features by points lost against their best bin (feature, points lost > 0)."""
        lost = {}
        for name in self.coefficients:
            points = np.array(self.bin_points(name))
            lost[name] = points.max() - points[self.binnings[name].assign(features[name])]
        frame = pd.DataFrame(lost, index=features.index)
        out = []
        for row in frame.itertuples(index=False):
            ranked = sorted(zip(frame.columns, row, strict=True), key=lambda pair: -pair[1])
            out.append([(name, float(value)) for name, value in ranked[:top] if value > 0.005])
        return out


def fit(
    features: pd.DataFrame,
    kinds: dict[str, str],
    bad: np.ndarray,
    monotonic: set[str] | None = None,
    scale: PointsScale | None = None,
) -> WoeScorecard:
    """Bin, select and fit (module docstring); ``monotonic`` names the numeric features binned monotonic
    (None: every numeric feature)."""
    excluded: list[Exclusion] = []
    binnings: dict[str, Binning] = {}
    for name in features.columns:
        wanted = kinds[name] == "numeric" and (monotonic is None or name in monotonic)
        binning = bin_feature(name, kinds[name], features[name], bad, wanted)
        if len(binning.bins) < 2:
            excluded.append(Exclusion(name, "no_relation"))
            continue
        if binning.iv < MIN_IV:
            excluded.append(Exclusion(name, "weak", {"iv": round(binning.iv, 4)}))
            continue
        binnings[name] = binning
    chosen = list(binnings)
    woe = pd.DataFrame({name: binnings[name].woe_of(features[name]) for name in chosen}, index=features.index)
    while chosen:
        model = LogisticRegression(C=C, max_iter=1000).fit(woe[chosen].to_numpy(), bad)
        coefficients = dict(zip(chosen, model.coef_[0].tolist(), strict=True))
        wrong = [name for name, value in coefficients.items() if value >= 0]
        if not wrong:
            card = WoeScorecard(
                {n: binnings[n] for n in chosen},
                coefficients,
                float(model.intercept_[0]),
                scale or PointsScale(),
                excluded,
            )
            return card
        worst = max(wrong, key=lambda name: coefficients[name])
        excluded.append(Exclusion(worst, "wrong_sign", {"iv": round(binnings[worst].iv, 4)}))
        chosen.remove(worst)
    raise TableRefused([Problem("no_signal", None, facts={"min_iv": MIN_IV})])
