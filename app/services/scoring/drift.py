"""The monthly check of the scoring models in use (模型监测): how the population applying now compares with the
champion's training sample, and whether the PDs held.

``check`` checks one month (by default the last month ended ``CREDIT_MODEL_DRIFT_GRACE_DAYS`` ago, in Beijing's
calendar: what is recorded in the first days after a month's end still counts for it; a month not due yet is
refused) for the champion in force, once. Beat runs it every ``CREDIT_MODEL_DRIFT_SECONDS`` (hourly), so a month is
checked once its grace is over, and a champion approved since is checked within the hour. The back-test reads the
defaults as they stood when the month's check was due (no observation or class recorded after its end and grace);
the PSI reads each application as its case now keeps it (one rated again later has its later rating).
A month already checked for the champion in force is left as it is (a check is a record, never redone): the job
is idempotent, and a second worker's check is refused by the unique month and subject and leaves nothing.

The measures (``drift_measures``): the **PSI of the champion's PD** on the quarter's applications against its
training sample, and the **back-test of the PD per grade** over the decisions whose window has closed. Each is
judged by ``rules/model_drift.dmn`` (its level, and whether model risk is told); the check's level is the worst.
When a measure says to tell, or the champion could not score, every active person in risk management (model risk
sits in it) gets a notification, once: a grade told of by the month's check for an earlier champion is not told of
again.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.engine.dmn import decision_in_force
from app.extensions import db
from app.localtime import local_today, to_utc
from app.models import User
from app.models.base import utcnow
from app.models.scoring import ScoringDriftCheck
from app.scoring import drift
from app.services.customers.facilities.facility_terms import add_months
from app.services.notifications import notifications
from app.services.scoring import drift_measures, governance, rights
from app.services.shared.unit_of_work import unit_of_work

RULE_FILE, RULE = "model_drift.dmn", "model_drift"
HAND_SET = drift_measures.HAND_SET  # the subject of a month checked with no champion
log = logging.getLogger(__name__)


class _AlreadyChecked(Exception):
    """Another worker checked the month for the same champion first."""


class NotDue(ValueError):
    """The month's check is not due yet: what is recorded late for it would be missed for good."""


def month_of(day: date) -> date:
    return day.replace(day=1)


def previous_month(today: date) -> date:
    return month_of(month_of(today) - timedelta(days=1))


def grace() -> timedelta:
    return timedelta(days=int(current_app.config["MODEL_DRIFT_GRACE_DAYS"]))


def due_month(today: date | None = None) -> date:
    """The last month whose end is at least the grace ago: the one beat checks."""
    return previous_month((today or local_today()) - grace())


def _known_by(month: date) -> datetime:
    """When the month's check was due: its end and the grace, as stored (UTC), and never later than now."""
    return min(to_utc(datetime.combine(add_months(month, 1), time())) + grace(), utcnow())


def check(month: date | None = None, *, notify: bool = True) -> ScoringDriftCheck | None:
    """Check ``month`` (its first day; by default ``due_month``) for the champion in force, unless it has been;
    returns the check made, or None when there was nothing to do."""
    month = month_of(month or due_month())
    if month > due_month():
        due = add_months(month, 1) + grace()
        raise NotDue(f"the check of {month:%Y-%m} is due on {due:%Y-%m-%d}, once its grace is over")
    champion = governance.champion()
    subject = f"model:{champion.id}" if champion is not None else HAND_SET
    if _checked(month, subject):
        return None
    judge, known_by = _Judge(), _known_by(month)
    found = ScoringDriftCheck(
        month=month,
        subject=subject,
        model_id=champion.id if champion is not None else None,
        model_label=f"{champion.name} v{champion.version}" if champion is not None else "",
        psi=None,
        psi_level="too_few",
        applications=0,
    )
    told = drift_measures.population(found, champion, judge, known_by) if champion is not None else []
    found.grades, found.cohort = drift_measures.back_test(month, judge, known_by)
    # a grade told of by the month's check for an earlier champion is not told of again: its back-test is the same
    before = {g["grade"] for c in _month_checks(month) if c.telling == "told" for g in c.grades if g["tell"]}
    told += [f"grade:{g['grade']}" for g in found.grades if g["tell"] and g["grade"] not in before]
    if told:
        found.telling = "told" if notify else "quiet"
    else:
        found.telling = "told_before" if any(g["tell"] for g in found.grades) else "nothing"
    found.level = drift.worst([found.psi_level, *(g["level"] for g in found.grades)])
    try:
        with unit_of_work(lost=_AlreadyChecked):
            db.session.add(found)
            db.session.flush()
            if found.telling == "told":
                found.notified = _tell(found, told)
    except _AlreadyChecked:
        log.info("scoring drift check of %s for %s already made", month, subject)
        return None
    return found


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


def recent(months: int = 12) -> list[ScoringDriftCheck]:
    """The last ``months`` months' checks, newest first, each month's latest (the champion in force at its end)."""
    query = select(ScoringDriftCheck).order_by(ScoringDriftCheck.month.desc(), ScoringDriftCheck.id.desc())
    latest: dict[date, ScoringDriftCheck] = {}
    for found in db.session.scalars(query.limit(months * 4)):
        latest.setdefault(found.month, found)
    return list(latest.values())[:months]


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
        failed="champion_failed" in told,
        grades=[name.removeprefix("grade:") for name in told if name.startswith("grade:")],
    )
    return len(people)
