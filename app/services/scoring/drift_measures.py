"""The two measures of the monthly check of the scoring models (``services.scoring.drift``), each as the history
stood when the month's check was due (``known_by``: later records are not read, so a past month reads as it did).

- **Population** (``population``): every credit application rated in the quarter to the month's end
  (``pd_model.rated_at``, else its decision), described as it stood when rated (``app.scoring.case_features``, as
  the rating and the history describe it), left out as the training leaves it out (declined, or already in
  default when rated: ``history.left_out``), and scored by the champion; its PDs against the training's over the
  training's decile bands (``app.scoring.drift.score_psi``). A corporate book applies too few times a month for ten
  bands' shares to mean much, hence a quarter. Its ``state`` says what became of it: ``scored``; ``failed`` (the
  champion could not score: its stored model refused, say — logged, and model risk told); ``other_columns`` (a
  champion trained on a file's columns rates no case, ``rating``); ``no_reference`` (no training shares kept).
- **Back-test of the PD per grade** (``back_test``): the credit applications decided in the year whose window after
  the decision (``rules/default_definition.dmn``) closed by the month's end, as the history reads them (declined
  ones and those already in default left out), each in the grade its PD falls in on the master scale
  (``rules/credit_rating.dmn``, before any cap by class, override or distress zone: this tests the PD, whichever
  model gave it), against that PD (``app.scoring.drift.by_grade``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.engine.dmn import decision_in_force
from app.extensions import db
from app.localtime import local_date, to_utc
from app.models import ProcessInstance
from app.models.scoring import ScoringDriftCheck, ScoringModel
from app.risk.master_scale import GRADES
from app.scoring import case_features, drift
from app.services.customers.facilities.facility_terms import add_months
from app.services.scoring import history, rating

HAND_SET = "hand_set"  # what rated a case when no model did
COHORT_MONTHS = 12  # the back-test reads a year of decisions
PSI_MONTHS = 3  # the PSI reads the applications of the quarter to the month's end
STARTED_BEFORE = timedelta(
    days=180
)  # an application rated in a quarter was started at most this long before it
# a measure's level by ``rules/model_drift.dmn``: (measure, cases, value) -> (level, tell)
Judge = Callable[[str, int, float | None], tuple[str, bool]]
log = logging.getLogger(__name__)


def population(
    found: ScoringDriftCheck, champion: ScoringModel, judge: Judge, known_by: datetime
) -> list[str]:
    """The champion's PSI on the quarter's applications into ``found``; what model risk is told of."""
    since, after = add_months(found.month, 1 - PSI_MONTHS), add_months(found.month, 1)
    kept = champion.figures.get("psi") or {}
    cuts, train = kept.get("cuts"), kept.get("train")
    shares: dict[str, Any] = {
        "rated_from": since.isoformat(),
        "rated_to": (after - timedelta(days=1)).isoformat(),
    }
    found.psi_shares = shares
    if not case_features.reads_case_features(champion.features):
        shares["state"] = "other_columns"
        return []
    if not isinstance(cuts, list) or not isinstance(train, list) or len(train) != len(cuts) + 1:
        shares["state"] = "no_reference"
        return []
    frame, left_out = _rated(since, after, known_by)
    try:
        model = rating.model_of(champion)
        pds = [float(p) for p in model.predict_pd(frame[list(champion.features)])] if len(frame) else []
    except Exception:  # noqa: BLE001 - the back-test is kept, and model risk told, whatever the model does
        log.exception("scoring model %s could not score the applications of its monthly check", champion.id)
        shares["state"], found.psi_level = "failed", "red"
        return ["champion_failed"]
    found.psi, month_shares = drift.score_psi(cuts, train, pds)
    found.applications = len(pds)
    shares.update(state="scored", cuts=cuts, train=train, month=month_shares, left_out=left_out)
    found.psi_level, tell = judge("score_psi", len(pds), found.psi)
    return ["score_psi"] if tell else []


def _rated(since: date, after: date, known_by: datetime):
    """The features of each application rated from ``since`` to before ``after`` (Beijing's days) as it stood then,
    and how many were left out by reason."""
    start, end = to_utc(datetime.combine(since, time())), to_utc(datetime.combine(after, time()))
    cases = db.session.execute(
        select(
            ProcessInstance.customer_id,
            ProcessInstance.summary,
            ProcessInstance.completed_at,
            ProcessInstance.outcome,
        ).where(
            ProcessInstance.process_id == "credit_application",
            ProcessInstance.started_at >= start - STARTED_BEFORE,
            ProcessInstance.started_at < end,
        )
    ).all()
    rated = []
    for customer_id, summary, completed_at, outcome in cases:
        facts = summary if isinstance(summary, dict) else {}
        at = history.rated_at_of(facts) or completed_at
        if at is None or not start <= at < end or not isinstance(facts.get("analysis"), dict):
            continue
        # declined by the time the check was due: left out as the training leaves it out (no outcome to learn)
        declined = outcome == "rejected" and completed_at is not None and completed_at <= known_by
        rated.append((customer_id, facts, at, declined))
    seen = history.observations_of({c for c, *_ in rated if c is not None})
    definition = history.Definition()
    rows, left_out = [], {"declined": 0, "in_default": 0}
    for customer_id, facts, at, declined in rated:
        known = [
            s for s, recorded in (seen[customer_id] if customer_id is not None else []) if recorded <= at
        ]
        reason = history.left_out("rejected" if declined else "approved", facts, known, definition)
        if reason in left_out:
            left_out[reason] += 1
            continue
        rows.append(case_features.case_row(facts, known, local_date(at)))
    return case_features.frame(rows), left_out


def back_test(month: date, judge: Judge, known_by: datetime) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each grade's realised default rate over the year of decisions whose window closed by the month's end."""
    definition = history.Definition()
    after = add_months(month, 1)  # the month's end, exclusive
    since = add_months(after, -definition.window_months - COHORT_MONTHS)
    before = add_months(after, -definition.window_months)
    read = history.outcomes(
        after - timedelta(days=1),
        definition,
        since=to_utc(datetime.combine(since, time())),
        before=to_utc(datetime.combine(before, time())),
        known_by=known_by,
    )
    band = _Band()
    pds = [_number(o.facts.get("pd")) for o in read.used]
    outcomes = drift.by_grade([band(pd_) for pd_ in pds], pds, [int(o.bad) for o in read.used], GRADES)
    grades = []
    for outcome in outcomes:
        level, tell = judge("grade_default", outcome.cases, outcome.p_value)
        grades.append({**asdict(outcome), "level": level, "tell": tell})
    cohort = {
        "decided_from": since.isoformat(),
        "decided_before": before.isoformat(),
        "window_months": definition.window_months,
        "cases": read.cases,
        "used": len(read.used),
        "no_pd": sum(1 for pd_ in pds if pd_ is None),
        "excluded": read.excluded,
        "rated_by": _rated_by(read.used),
    }
    return grades, cohort


class _Band:
    """The master scale's grade of a PD by ``rules/credit_rating.dmn`` (no zone: the PD's own band)."""

    def __init__(self) -> None:
        self.decision = decision_in_force(
            Path(current_app.config["RULES_DIR"]) / "credit_rating.dmn", "credit_rating"
        )
        self._seen: dict[float, str | None] = {}

    def __call__(self, pd_: float | None) -> str | None:
        if pd_ is None:
            return None
        if pd_ not in self._seen:
            grade = self.decision.evaluate({"pd": pd_, "z_zone": None}).single_output.get("grade")
            self._seen[pd_] = grade if isinstance(grade, str) else None
        return self._seen[pd_]


def _rated_by(used: list[history.Outcome]) -> dict[str, int]:
    """How many of the back-test's cases each model rated (the hand-set scorecard under ``hand_set``)."""
    counts: dict[str, int] = {}
    for outcome in used:
        found = outcome.facts.get("pd_model")
        by = found.get("model") if isinstance(found, dict) and found.get("source") == "champion" else None
        key = by if isinstance(by, str) and by else HAND_SET
        counts[key] = counts.get(key, 0) + 1
    return counts


def _number(value: Any) -> float | None:
    """A PD as the case keeps it, if it is one (a probability: 0 to 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer past float range
        return None
    return number if math.isfinite(number) and 0.0 <= number <= 1.0 else None
