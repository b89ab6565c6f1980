"""The validation figures against scikit-learn's own functions and the textbook formulas, on held-out data."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score, roc_curve

from app.scoring import metrics


@pytest.fixture
def held_out():
    rng = np.random.default_rng(11)
    pd_ = rng.beta(1, 12, 3000)
    y = (rng.random(3000) < pd_ * 1.3).astype(np.int8)
    return y, pd_


def test_auc_gini_and_ks_equal_scikit_learns(held_out):
    y, pd_ = held_out
    fpr, tpr, _ = roc_curve(y, pd_)
    assert metrics.auc(y, pd_) == pytest.approx(roc_auc_score(y, pd_), abs=1e-12)
    assert metrics.ks(y, pd_) == pytest.approx(np.max(tpr - fpr), abs=1e-12)
    summary = metrics.summary(y, pd_)
    assert summary["gini"] == pytest.approx(2 * roc_auc_score(y, pd_) - 1, abs=1e-12)


def test_ties_count_half_as_scikit_learn_does():
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1], dtype=np.int8)
    pd_ = np.array([0.1, 0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.9])
    assert metrics.auc(y, pd_) == pytest.approx(roc_auc_score(y, pd_))
    fpr, tpr, _ = metrics.roc(y, pd_)
    ref_fpr, ref_tpr, _ = roc_curve(y, pd_, drop_intermediate=False)
    assert np.allclose(fpr, ref_fpr) and np.allclose(tpr, ref_tpr)


def test_roc_points_are_scikit_learns(held_out):
    y, pd_ = held_out
    fpr, tpr, _ = metrics.roc(y, pd_)
    ref_fpr, ref_tpr, _ = roc_curve(y, pd_, drop_intermediate=False)
    assert np.allclose(fpr, ref_fpr) and np.allclose(tpr, ref_tpr)


def test_deciles_match_scikit_learns_quantile_calibration(held_out):
    y, pd_ = held_out
    table = metrics.deciles(y, pd_)
    observed, expected = calibration_curve(y, pd_, n_bins=10, strategy="quantile")
    assert list(table["rows"]) == [300] * 10
    assert np.allclose(table["observed"], observed) and np.allclose(table["expected"], expected)


def test_hosmer_lemeshow_is_the_textbook_statistic(held_out):
    y, pd_ = held_out
    table = metrics.deciles(y, pd_)
    o, e, n = table["defaults"].to_numpy(), table["expected"].to_numpy() * 300, 300
    direct = float(np.sum((o - e) ** 2 / (e * (1 - e / n))))
    statistic, p_value = metrics.hosmer_lemeshow(table)
    assert statistic == pytest.approx(direct)
    assert 0.0 <= p_value <= 1.0


def test_psi_of_the_same_distribution_is_zero_and_of_a_shift_is_large():
    rng = np.random.default_rng(3)
    train = rng.normal(0, 1, 20000)
    same = metrics.psi(*metrics.shares_by_training_deciles(train, rng.normal(0, 1, 20000))[:2])
    shifted = metrics.psi(*metrics.shares_by_training_deciles(train, rng.normal(1, 1, 20000))[:2])
    assert same < 0.01 and shifted > 0.25
    e, a = np.array([0.5, 0.5]), np.array([0.8, 0.2])
    assert metrics.psi(e, a) == pytest.approx(0.3 * np.log(1.6) + (-0.3) * np.log(0.4))
