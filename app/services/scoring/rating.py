"""The scoring models in a credit application's rating (评级): the champion's PD with its reasons, and each
challenger scored beside it in shadow.

``model_rating`` is the directory function the application's analysis script calls (``workflows/
credit_application.bpmn``): the case is described as ``app.scoring.case_features`` describes the history (its
statements' analysis, the application's facts, the class on file, and the customer's observations recorded by
now), the champion gives the PD that ``rules/credit_rating.dmn`` turns into a grade, and the challengers' PDs are
kept beside it for risk management to compare, deciding nothing. With no champion, or one that reads a column
the cases do not have (a model trained on a file of other columns), the hand-set scorecard's PD stands, and the
answer says so.

What it answers is kept in the case's data (``pd_model``): the memo names the version that rated the case,
and a champion approved later never changes a case already rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer, Observation
from app.models.base import utcnow
from app.models.scoring import ScoringModel
from app.risk.analysis import hand_set_rating
from app.scoring import case_features, training
from app.scoring.woe_scorecard import WoeScorecard
from app.services.scoring import versions

IN_USE = ("champion", "challenger")
REASONS = 3  # the columns that moved the PD most, per model
_LOADED: dict[
    tuple[int, str], training.Model
] = {}  # (version, signature) -> the model, unpacked once per process


def model_rating(uscc: str | None, analysis: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """The PD the rating uses and where it came from (module docstring); JSON for the case's data."""
    answer = hand_set_rating(analysis)
    in_use = [
        v
        for v in db.session.scalars(
            select(ScoringModel).where(ScoringModel.status.in_(IN_USE)).order_by(ScoringModel.id)
        )
        if set(v.features) <= set(case_features.CASE_FEATURES)
    ]
    if not in_use:
        return answer
    row = case_features.case_row(
        {**facts, "analysis": analysis, "z_score": analysis.get("z_score")}, _seen(uscc), local_today()
    )
    frame = case_features.frame([row])
    for version in in_use:
        scored = _scored(version, frame)
        if version.status == "champion":
            answer.update(
                points=scored.get("points"),  # a scorecard's; trees have none
                pd=scored["pd"],
                source="champion",
                model=scored["model"],
                model_id=version.id,
                reasons=scored["reasons"],
            )
        else:
            answer["shadow"].append(scored)
    return answer


def _scored(version: ScoringModel, frame) -> dict[str, Any]:
    model = _model(version)
    features = frame[list(version.features)]
    pd = float(model.predict_pd(features)[0])
    reasons = model.reasons(features)[0][:REASONS]
    key = "points_lost" if isinstance(model, WoeScorecard) else "pd_raised"
    scored: dict[str, Any] = {
        "model_id": version.id,
        "model": f"{version.name} v{version.version}",
        "algorithm": version.algorithm,
        "pd": round(pd, 6),
        "reasons": [{"column": name, key: round(float(value), 4)} for name, value in reasons],
    }
    if isinstance(model, WoeScorecard):
        scored["points"] = round(float(model.points(features)[0]), 1)
    return scored


def _model(version: ScoringModel) -> training.Model:
    key = (version.id, version.signature)
    if key not in _LOADED:
        _LOADED[key] = versions.model_of(version)
    return _LOADED[key]


def _seen(uscc: str | None) -> list[case_features.Seen]:
    """The customer's observations recorded by now (none for a customer new to the bank)."""
    if not uscc:
        return []
    rows = db.session.execute(
        select(
            Observation.observed_on,
            Observation.days_past_due,
            Observation.enforcement_records,
            Observation.tax_arrears,
            Observation.negative_news,
        )
        .join(Customer, Customer.id == Observation.customer_id)
        .where(Customer.uscc == uscc, Observation.recorded_at <= utcnow())
        .order_by(Observation.observed_on)
    )
    return [
        case_features.Seen(
            r.observed_on,
            r.days_past_due,
            r.enforcement_records,
            float(r.tax_arrears) if r.tax_arrears is not None else None,
            r.negative_news,
        )
        for r in rows
    ]
