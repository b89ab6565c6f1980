"""The WoE scorecard and the gradient-boosted trees on a book drawn with a known relationship to default."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from app.scoring import gbm, synthetic, table, training, woe_scorecard
from app.scoring.binning import OTHER


@pytest.fixture(scope="module")
def typed():
    frame = synthetic.book(6000, seed=5)
    cells = frame.astype(object).where(frame.notna(), "").astype(str)
    return table.type_for_training(cells, np.arange(len(frame)) + 2, "defaulted", "1")


@pytest.fixture(scope="module")
def card(typed):
    return training.train(typed, training.SCORECARD)


def test_the_held_out_figures_are_those_of_the_held_out_rows(typed, card):
    positions = np.arange(len(typed.target))
    _fit, hold = train_test_split(positions, test_size=0.3, stratify=typed.target, random_state=training.SEED)
    hold = np.sort(hold)
    expected = roc_auc_score(typed.target[hold], card.model.predict_pd(typed.features.iloc[hold]))
    assert (card.n_train, card.n_validation) == (4200, 1800)
    assert card.figures["auc"] == pytest.approx(expected, abs=1e-12)
    assert card.figures["auc"] > 0.75 and card.figures["ks"] > 0.35


def test_a_scorecards_points_are_the_sum_of_its_bins_and_follow_pdo(typed, card):
    model = card.model
    rows = typed.features.iloc[:25]
    summed = np.zeros(len(rows))
    for name, binning in model.binnings.items():
        summed += np.array(model.bin_points(name))[binning.assign(rows[name])]
    assert np.allclose(summed, model.points(rows))
    scale = model.scale
    logit = (scale.offset - model.points(rows)) / scale.factor
    assert np.allclose(model.predict_pd(rows), 1 / (1 + np.exp(-logit)))
    assert scale.offset + scale.factor * np.log(50) == pytest.approx(600)  # base odds 50:1 score 600
    assert scale.offset + scale.factor * np.log(100) == pytest.approx(620)  # doubled: + PDO


def test_monotonic_bins_and_weak_columns(card):
    binning = card.model.binnings["debt_to_asset"]
    rates = [b.bad_rate for b in binning.bins if not b.missing]
    assert rates == sorted(rates) and len(rates) >= 2  # more debt, more defaults
    assert "founder_zodiac" in {
        e.column for e in card.excluded if e.code == "no_relation"
    }  # noise, by design
    shown = {entry["feature"]: entry for entry in card.figures["bins"]}
    assert shown["debt_to_asset"]["iv"] > 0.1
    assert all("points" in b and "woe" in b for b in shown["industry"]["bins"])


def test_a_scorecard_scores_unseen_and_missing_values_no_better_than_the_worst_seen(card):
    model = card.model
    row = pd.DataFrame([dict.fromkeys(model.binnings, None)], dtype=object)
    row["industry"] = "从未见过的行业"
    checked = 0
    for name, binning in model.binnings.items():
        points = model.bin_points(name)
        at = binning.assign(row[name])[0]
        if any(b.missing for b in binning.bins) and binning.kind == "numeric":
            assert binning.bins[at].missing  # a missing value the data showed: its own bin
            continue
        if OTHER in [v for b in binning.bins for v in b.values]:
            assert OTHER in binning.bins[at].values  # an unseen category: the rare values' bin
            continue
        assert points[at] == min(points), name  # never better than the worst bin seen
        checked += 1
    assert checked >= 2  # industry (unseen) and a numeric column with no missing value in training
    total = sum(model.bin_points(name)[b.assign(row[name])[0]] for name, b in model.binnings.items())
    assert total == pytest.approx(model.points(row)[0])


def test_reason_codes_name_where_points_were_lost(typed, card):
    rows = typed.features.copy()
    in_arrears = rows.index[rows["overdue_days_12m"] > 60][:5]
    for reasons in card.model.reasons(rows.loc[in_arrears]):
        assert "overdue_days_12m" in [name for name, _lost in reasons]


def test_gbm_is_seeded_and_scores_what_training_never_saw(typed):
    x, y = typed.features.iloc[:3000], typed.target[:3000]
    first = gbm.fit(x, typed.kinds, y, seed=3)
    second = gbm.fit(x, typed.kinds, y, seed=3)
    assert np.array_equal(first.predict_pd(x.iloc[:200]), second.predict_pd(x.iloc[:200]))
    odd = x.iloc[[0, 0]].copy()
    odd["industry"] = ["从未见过的行业", None]
    odd["debt_to_asset"] = [np.nan, np.nan]
    scored = first.predict_pd(odd)
    assert scored[0] == pytest.approx(scored[1]) and np.isfinite(scored).all()  # unseen = missing
    reasons = first.reasons(x.iloc[:3])
    assert len(reasons) == 3 and all(name in typed.kinds for r in reasons for name, _ in r)


def test_the_scorecard_refuses_a_table_with_nothing_to_learn():
    rng = np.random.default_rng(1)
    noise = pd.DataFrame({"x": rng.normal(size=400)})
    with pytest.raises(table.TableRefused) as caught:
        woe_scorecard.fit(noise, {"x": "numeric"}, (rng.random(400) < 0.2).astype(np.int8))
    assert caught.value.problems[0].code == "no_signal"
