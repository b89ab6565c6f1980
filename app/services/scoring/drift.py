"""The monthly check of the scoring models in use (模型监测): how the population applying now compares with the
champion's training sample, and whether the grades' PDs held.

``check`` checks one month (by default the month just ended, in Beijing's calendar) for the champion in force, once:
beat runs it every ``CREDIT_MODEL_DRIFT_SECONDS`` (hourly), so a month is checked soon after it ends, and a champion
approved during the month is checked against the month just ended within the hour. A month already checked for the
champion in force is left as it is (a check is a record, never redone); the job is idempotent.

- **PSI of the champion's PD** (``app.scoring.drift.score_psi``): every credit application rated in the three
  months to the month's end (``pd_model.rated_at``, else its decision; a quarter, as a corporate book applies too
  few times a month for ten bands' shares to mean much) is described as it stood then (``app.scoring.case_features``,
  as the rating and the history describe it) and scored by the champion; its PDs are compared with the
  training's. With no champion (the hand-set scorecard rates) there is no PSI.
- **Realised default rate per grade** (``app.scoring.drift.by_grade``): the credit applications decided in the
  twelve months whose window after the decision (``rules/default_definition.dmn``) closed by the month's end, as
  the history reads them (``services.scoring.history.outcomes``: declined ones and those already in default left
  out), each with the grade and PD it was rated with — whichever model rated it.

Each measure is judged by ``rules/model_drift.dmn`` (its level, and whether model risk is told); the check's level
is the worst. When a measure says to tell, every active person in risk management (model risk sits in it) gets a
notification, once, with the check.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.engine.dmn import decision_in_force
from app.extensions import db
from app.localtime import local_date, local_today, to_utc
from app.models import ProcessInstance, User
from app.models.scoring import ScoringDriftCheck, ScoringModel
from app.risk.master_scale import GRADES
from app.scoring import case_features, drift
from app.services.customers.facilities.facility_terms import add_months
from app.services.notifications import notifications
from app.services.scoring import governance, history, rating, rights
from app.services.shared.unit_of_work import unit_of_work

RULE_FILE, RULE = "model_drift.dmn", "model_drift"
HAND_SET = "hand_set"  # the subject of a month checked with no champion
COHORT_MONTHS = 12  # the back-test reads a year of decisions
PSI_MONTHS = 3  # the PSI reads the applications of the quarter to the month's end
STARTED_BEFORE = timedelta(
    days=180
)  # an application rated in a month was started at most this long before it
log = logging.getLogger(__name__)


def month_of(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date) -> date:
    return month_of(month_of(today) - timedelta(days=1))


def check(month: date | None = None, *, notify: bool = True) -> ScoringDriftCheck | None:
    """Check ``month`` (its first day; by default the month just ended) for the champion in force, unless it has
    been; returns the check made, or None when there was nothing to do."""
    month = month_of(month or previous_month(local_today()))
    champion = governance.champion()
    subject = f"model:{champion.id}" if champion is not None else HAND_SET
    if _checked(month, subject):
        return None
    judge = _Judge()
    found = ScoringDriftCheck(
        month=month,
        subject=subject,
        model_id=champion.id if champion is not None else None,
        model_label=f"{champion.name} v{champion.version}" if champion is not None else "",
        psi=None,
        psi_level="too_few",
        applications=0,
    )
    told = _population(found, champion, judge) if champion is not None else []
    found.grades, found.cohort = _back_test(month, judge)
    # a grade told of by the month's check for an earlier champion is not told of again: its back-test is the same
    before = {g["grade"] for c in _month_checks(month) if c.telling == "told" for g in c.grades if g["tell"]}
    told += [f"grade:{g['grade']}" for g in found.grades if g["tell"] and g["grade"] not in before]
    if told:
        found.telling = "told" if notify else "quiet"
    else:
        found.telling = "told_before" if any(g["tell"] for g in found.grades) else "nothing"
    found.level = drift.worst([found.psi_level, *(g["level"] for g in found.grades)])
    try:
        with unit_of_work():
            db.session.add(found)
            db.session.flush()
            if found.telling == "told":
                found.notified = _tell(found, told)
    except IntegrityError:  # another worker checked the month first
        log.info("scoring drift check of %s for %s already made", month, subject)
        return None
    return found


def _population(found: ScoringDriftCheck, champion: ScoringModel, judge: _Judge) -> list[str]:
    """The champion's PSI on the quarter's applications into ``found``; ["score_psi"] when model risk is told."""
    if not case_features.reads_case_features(champion.features):
        return []  # a model of a file's columns does not rate cases (``rating``): no PSI of cases
    since, after = add_months(found.month, 1 - PSI_MONTHS), add_months(found.month, 1)
    pds = _rated_pds(champion, since, after)
    kept = champion.figures.get("psi") or {}
    found.psi, shares = drift.score_psi(kept.get("cuts", []), kept.get("train", [1.0]), pds)
    found.applications = len(pds)
    found.psi_shares = {
        "cuts": kept.get("cuts", []),
        "train": kept.get("train", []),
        "month": shares,
        "rated_from": since.isoformat(),
        "rated_to": (after - timedelta(days=1)).isoformat(),
    }
    found.psi_level, tell = judge("score_psi", len(pds), found.psi)
    return ["score_psi"] if tell else []


def checked(month: date) -> ScoringDriftCheck | None:
    """The month's check for the champion in force (or the last made of the month, when it was for another)."""
    query = select(ScoringDriftCheck).where(ScoringDriftCheck.month == month_of(month))
    return db.session.scalars(query.order_by(ScoringDriftCheck.id.desc()).limit(1)).first()


def summary(found: ScoringDriftCheck | None) -> dict[str, Any]:
    """A check as the command line prints it."""
    if found is None:
        return {"check_id": None}
    return {
        "check_id": found.id,
        "month": found.month.strftime("%Y-%m"),
        "champion": found.model_label or None,
        "level": found.level,
        "psi": found.psi,
        "psi_level": found.psi_level,
        "applications": found.applications,
        "grades": [{k: v for k, v in g.items() if k != "tell"} for g in found.grades],
        "cohort": {k: v for k, v in found.cohort.items() if k != "rated_by"},
        "notified": found.notified,
    }


def latest() -> ScoringDriftCheck | None:
    return db.session.scalars(
        select(ScoringDriftCheck)
        .order_by(ScoringDriftCheck.month.desc(), ScoringDriftCheck.id.desc())
        .limit(1)
    ).first()


def recent(count: int = 12) -> list[ScoringDriftCheck]:
    query = select(ScoringDriftCheck).order_by(ScoringDriftCheck.month.desc(), ScoringDriftCheck.id.desc())
    return list(db.session.scalars(query.limit(count)))


def _month_checks(month: date) -> list[ScoringDriftCheck]:
    return list(db.session.scalars(select(ScoringDriftCheck).where(ScoringDriftCheck.month == month)))


def _checked(month: date, subject: str) -> bool:
    query = select(ScoringDriftCheck.id).where(
        ScoringDriftCheck.month == month, ScoringDriftCheck.subject == subject
    )
    return db.session.scalar(query.limit(1)) is not None


class _Judge:
    """``rules/model_drift.dmn`` in force: a measure's level, and whether model risk is told."""

    def __init__(self) -> None:
        self.decision = decision_in_force(Path(current_app.config["RULES_DIR"]) / RULE_FILE, RULE)

    def __call__(self, measure: str, cases: int, value: float | None) -> tuple[str, bool]:
        out = self.decision.evaluate({"measure": measure, "cases": cases, "value": value}).single_output
        level = out.get("level")
        return (level if level in drift.LEVELS else "too_few"), out.get("notify") is True


def _rated_pds(champion: ScoringModel, since: date, before: date) -> list[float]:
    """The champion's PD of each credit application rated from ``since`` to before ``before`` (Beijing's days),
    described as it stood when rated."""
    start, end = to_utc(datetime.combine(since, time())), to_utc(datetime.combine(before, time()))
    cases = db.session.execute(
        select(ProcessInstance.customer_id, ProcessInstance.summary, ProcessInstance.completed_at).where(
            ProcessInstance.process_id == "credit_application",
            ProcessInstance.started_at >= start - STARTED_BEFORE,
            ProcessInstance.started_at < end,
        )
    ).all()
    rated: list[tuple[int | None, dict[str, Any], datetime]] = []
    for customer_id, summary, completed_at in cases:
        facts = summary if isinstance(summary, dict) else {}
        at = history.rated_at_of(facts) or completed_at
        analysis = facts.get("analysis")
        if at is None or not start <= at < end or not isinstance(analysis, dict):
            continue
        rated.append((customer_id, facts, at))
    if not rated:
        return []
    seen = history.observations_of({c for c, _f, _a in rated if c is not None})
    rows = [
        case_features.case_row(
            facts, [s for s, recorded in (seen[c] if c is not None else []) if recorded <= at], local_date(at)
        )
        for c, facts, at in rated
    ]
    frame = case_features.frame(rows)
    model = rating.model_of(champion)
    return [float(p) for p in model.predict_pd(frame[list(champion.features)])]


def _back_test(month: date, judge: _Judge) -> tuple[list[dict[str, Any]], dict[str, Any]]:
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
    )
    outcomes = drift.by_grade(
        [_text(o.facts.get("grade")) for o in read.used],
        [_number(o.facts.get("pd")) for o in read.used],
        [int(o.bad) for o in read.used],
        GRADES,
    )
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
        "defaults": sum(o.bad for o in read.used),
        "excluded": read.excluded,
        "rated_by": _rated_by(read.used),
    }
    return grades, cohort


def _rated_by(used: list[history.Outcome]) -> dict[str, int]:
    """How many of the back-test's cases each model rated (the hand-set scorecard under ``hand_set``)."""
    counts: dict[str, int] = {}
    for outcome in used:
        found = outcome.facts.get("pd_model")
        by = found.get("model") if isinstance(found, dict) and found.get("source") == "champion" else None
        key = by if isinstance(by, str) and by else HAND_SET
        counts[key] = counts.get(key, 0) + 1
    return counts


def _tell(found: ScoringDriftCheck, told: list[str]) -> int:
    """Tell every active person in model risk what is past its threshold; how many were told."""
    people = list(
        db.session.scalars(select(User).where(User.role.in_(rights.KEEPERS), User.active.is_(True)))
    )
    notifications.alert(
        people,
        "model_drift",
        check_id=found.id,
        month=found.month.strftime("%Y-%m"),
        model=found.model_label,
        psi=round(found.psi, 4) if "score_psi" in told and found.psi is not None else None,
        grades=[name.removeprefix("grade:") for name in told if name.startswith("grade:")],
    )
    return len(people)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None
