"""Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) with defaults that need no tuning.

- **Categories** are native: each categorical column becomes a pandas category over the training's
  ``MAX_CATEGORIES`` most frequent values; rarer values, values unseen in training and missing values are
  missing, which the trees route on their own (learned at each split), never refused.
- **Defaults**: trees of depth 3 (interactions of up to three columns) with leaves of at least 50 rows,
  learning rate 0.05, L2 1.0, up to 1,000 rounds stopped early when the log-loss on a tenth held back inside
  the training part has not improved for 30 rounds; seeded. Chosen on books drawn with a known relationship
  (``bench/scoring_models.py``): deeper trees and smaller leaves overfit them at every size.
- **Reason codes**: a row's contribution of feature j is f(x) − mean_b f(x with x_j taken from background
  row b), in PD, over ``BACKGROUND`` training rows (an interventional, occlusion-style attribution: no
  library beyond scikit-learn); the features that raise the PD most are the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

MAX_CATEGORIES = 250  # the trees take at most 255 categories a column
BACKGROUND = 40


@dataclass
class GradientBoosted:
    model: HistGradientBoostingClassifier
    kinds: dict[str, str]
    categories: dict[str, list[str]]
    background: pd.DataFrame

    def frame(self, features: pd.DataFrame) -> pd.DataFrame:
        """The model's columns typed as in training (categories fixed to the training's)."""
        columns = {}
        for name, kind in self.kinds.items():
            if kind == "numeric":
                columns[name] = features[name].to_numpy(dtype=float, na_value=np.nan)
            else:
                values = features[name].to_numpy(dtype=object)
                known = pd.Index(self.categories[name])
                values = np.where(known.get_indexer(values) >= 0, values, None)  # unseen and rare: missing
                columns[name] = pd.Categorical(values, categories=self.categories[name])
        return pd.DataFrame(columns, index=features.index)

    def predict_pd(self, features: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(self.frame(features))[:, 1]

    def reasons(self, features: pd.DataFrame, top: int = 3) -> list[list[tuple[str, float]]]:
        """Per row, the ``top`` features raising its PD most (feature, PD points raised > 0); rows × features ×
        ``BACKGROUND`` predictions, for the few rows a page shows."""
        typed = self.frame(features)
        base = self.model.predict_proba(typed)[:, 1]
        out = []
        for position in range(len(typed)):
            row = typed.iloc[[position] * len(self.background)].reset_index(drop=True)
            contributions = []
            for name in self.kinds:
                swapped = row.copy()
                swapped[name] = self.background[name].to_numpy()
                contributions.append(
                    (name, float(base[position] - self.model.predict_proba(swapped)[:, 1].mean()))
                )
            contributions.sort(key=lambda pair: -pair[1])
            out.append([pair for pair in contributions[:top] if pair[1] > 1e-4])
        return out


def fit(features: pd.DataFrame, kinds: dict[str, str], bad: np.ndarray, seed: int) -> GradientBoosted:
    categories = {
        name: [str(v) for v in features[name].dropna().value_counts().index[:MAX_CATEGORIES]]
        for name, kind in kinds.items()
        if kind == "categorical"
    }
    shell = GradientBoosted(HistGradientBoostingClassifier(), dict(kinds), categories, pd.DataFrame())
    typed = shell.frame(features)
    shell.model = HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=1000,
        max_depth=3,
        min_samples_leaf=50,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=30,
        scoring="loss",
        categorical_features="from_dtype",
        random_state=seed,
    ).fit(typed, bad)
    picked = np.random.default_rng(seed).choice(len(typed), size=min(BACKGROUND, len(typed)), replace=False)
    shell.background = typed.iloc[np.sort(picked)].reset_index(drop=True)
    return shell
