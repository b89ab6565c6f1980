"""The scoring models in a credit application's rating (评级): the champion's PD with its reasons, and each
challenger scored beside it in shadow.

``model_rating`` is the directory function the application's analysis script calls (``workflows/
credit_application.bpmn``): the case is described as ``app.scoring.case_features`` describes the history (its
statements' analysis, the application's facts, the class on file, and the customer's observations recorded by
now), the champion gives the PD that ``rules/credit_rating.dmn`` turns into a grade, and the challengers' PDs are
kept beside it for risk management to compare, deciding nothing.

The hand-set scorecard's PD stands, and the answer says so, when there is no champion, when the champion reads a
column the cases do not have (a model trained on a file of other columns, or of the same names read as another
kind), when the statements give no ratio to score, and when the champion cannot score at all (its stored bytes
refused by their signature, say): one model that fails never stops an application — it is logged, the case names
it, and a challenger that fails is left out.

What it answers is kept in the case's data (``pd_model``, with the moment it rated, which the history reads the
case as of): the memo names the version that rated the case, and a champion approved later never changes a case
already rated.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Customer
from app.models.base import utcnow
from app.models.scoring import ScoringModel
from app.risk.analysis import hand_set_rating
from app.scoring import case_features, training
from app.scoring.woe_scorecard import WoeScorecard
from app.services.scoring import artifacts, history

IN_USE = ("champion", "challenger")
REASONS = 3  # the columns that moved the PD most, per model
# (version, signature) -> the model, unpacked once per process; versions no longer in use are let go
_LOADED: dict[tuple[int, str], training.Model] = {}
log = logging.getLogger(__name__)


def model_rating(uscc: Any, analysis: Any, facts: Any) -> dict[str, Any]:
    """The PD the rating uses and where it came from (module docstring); JSON for the case's data."""
    analysis = analysis if isinstance(analysis, Mapping) else {}
    facts = facts if isinstance(facts, Mapping) else {}
    now = utcnow()
    answer = {**hand_set_rating(analysis), "rated_at": now.isoformat() + "Z"}
    in_use = [
        v
        for v in db.session.execute(
            select(
                ScoringModel.id,
                ScoringModel.name,
                ScoringModel.version,
                ScoringModel.algorithm,
                ScoringModel.status,
                ScoringModel.features,
                ScoringModel.signature,
            )
            .where(ScoringModel.status.in_(IN_USE))
            .order_by(ScoringModel.id)
        )
        if case_features.reads_case_features(v.features)
    ]
    _let_go({(v.id, v.signature) for v in in_use})
    ratios = analysis.get("ratios")
    if not in_use or not isinstance(ratios, Mapping) or all(v is None for v in ratios.values()):
        return answer
    row = case_features.case_row(
        {**facts, "analysis": analysis, "z_score": analysis.get("z_score")}, _seen(uscc, now), local_today()
    )
    frame = case_features.frame([row])
    for version in in_use:
        try:
            scored = _scored(version, frame)
        except Exception:  # noqa: BLE001 - one model that cannot score never stops an application
            log.exception(
                "scoring model %s (%s v%s) could not rate a case", version.id, version.name, version.version
            )
            if version.status == "champion":
                answer["champion_failed"] = f"{version.name} v{version.version}"
            continue
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


def _scored(version: Any, frame) -> dict[str, Any]:
    model = model_of(version)
    features = frame[list(version.features)]
    pd = float(model.predict_pd(features)[0])
    reasons = model.reasons(features)[0][:REASONS]
    key = "points_lost" if isinstance(model, WoeScorecard) else "pd_raised"
    scored: dict[str, Any] = {
        "model_id": version.id,
        "model": f"{version.name} v{version.version}",
        "algorithm": version.algorithm,
        "pd": round(pd, 6),
        # a reason whose value was not known (a customer new to the bank has no days past due) says so
        "reasons": [
            {
                "column": name,
                key: round(float(value), 4),
                **({"missing": True} if _missing(features[name]) else {}),
            }
            for name, value in reasons
        ],
    }
    if isinstance(model, WoeScorecard):
        scored["points"] = round(float(model.points(features)[0]), 1)
    return scored


def _missing(column) -> bool:
    value = column.iloc[0]
    return value is None or (isinstance(value, float) and math.isnan(value))


def model_of(version: Any) -> training.Model:
    """The version (any row with its ``id`` and ``signature``) unpacked, once per process while it is in use."""
    key = (version.id, version.signature)
    if key not in _LOADED:
        content = db.session.scalar(select(ScoringModel.artifact).where(ScoringModel.id == version.id))
        _LOADED[key] = artifacts.unpacked(content or b"", version.signature)
    return _LOADED[key]


def _let_go(in_use: set[tuple[int, str]]) -> None:
    for key in set(_LOADED) - in_use:
        del _LOADED[key]


def _seen(uscc: Any, now) -> list[case_features.Seen]:
    """The customer's observations recorded by now (none for a customer new to the bank)."""
    if not isinstance(uscc, str) or not uscc:
        return []
    customer_id = db.session.scalar(select(Customer.id).where(Customer.uscc == uscc))
    if customer_id is None:
        return []
    return [seen for seen, recorded in history.observations_of({customer_id})[customer_id] if recorded <= now]
