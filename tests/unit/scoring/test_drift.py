"""The monthly check's figures against a direct computation: the PSI over the training's bins from its definition,
and each grade's binomial p-value from scipy's binomial distribution (not the test the module calls)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import binom

from app.risk.master_scale import GRADES
from app.scoring import drift


def test_the_psi_compares_the_months_shares_over_the_trainings_bins():
    cuts, train = [0.01, 0.05], [0.5, 0.3, 0.2]
    pds = [0.001, 0.01, 0.02, 0.2]  # a PD equal to a cut falls above it: bins 0, 1, 1, 2
    value, shares = drift.score_psi(cuts, train, pds)
    assert shares == [0.25, 0.5, 0.25]
    assert value == pytest.approx(sum((a - e) * math.log(a / e) for a, e in zip(shares, train, strict=True)))


def test_no_applications_give_no_psi():
    assert drift.score_psi([0.01], [0.5, 0.5], []) == (None, [0.0, 0.0])


def test_each_grade_is_back_tested_against_its_mean_pd():
    grades = ["BB"] * 30 + ["A"] * 25 + ["unknown"] * 3 + [None, "B"]
    pds = [0.01] * 30 + [0.002] * 24 + [0.004] + [0.1] * 3 + [0.5, None]
    bads = [1] * 6 + [0] * 24 + [0] * 25 + [1, 0, 0] + [1, 1]
    found = drift.by_grade(grades, pds, bads, GRADES)
    # master-scale order, a grade off the scale after it, a case without a grade or a PD left out
    assert [g.grade for g in found] == ["A", "BB", "unknown"]
    a, bb, _other = found
    assert (bb.cases, bb.defaults, bb.realised, bb.predicted) == (30, 6, 0.2, pytest.approx(0.01))
    assert bb.p_value == pytest.approx(binom.sf(5, 30, 0.01))  # P(at least 6 defaults | PD 1%)
    assert bb.p_value < 1e-5
    assert (a.defaults, a.p_value, a.predicted) == (0, 1.0, pytest.approx((24 * 0.002 + 0.004) / 25))


def test_a_rate_below_the_pd_is_not_flagged_and_a_pd_of_nothing_with_a_default_is():
    prudent = drift.by_grade(["CCC"] * 40, [0.3] * 40, [1] * 2 + [0] * 38, GRADES)[0]
    assert prudent.p_value == pytest.approx(binom.sf(1, 40, 0.3)) and prudent.p_value > 0.99
    (zero,) = drift.by_grade(["AAA", "AAA"], [0.0, 0.0], [1, 0], GRADES)
    assert zero.p_value == 0.0


def test_non_finite_pds_are_left_out():
    found = drift.by_grade(["A", "A", "A"], [np.nan, np.inf, 0.002], [1, 1, 0], GRADES)
    assert [(g.cases, g.defaults) for g in found] == [(1, 0)]


def test_a_checks_level_is_its_worst_measures():
    assert drift.worst(["green", "too_few", "amber"]) == "amber"
    assert drift.worst(["green", "red"]) == "red"
    assert drift.worst([]) == "too_few"
