"""What the scoring model check pages show (模型监测; rights checked here): the recent monthly checks on the models
page, the latest on the portfolio dashboard, and one check's page — the PSI of the champion's PD with each band's
shares against its training's, and each grade's realised default rate against the PD it was rated with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from app.errors import NotFound
from app.extensions import db
from app.models.people import User
from app.models.scoring import ScoringDriftCheck
from app.services.analytics.figures import Chart, Column, Figure
from app.services.scoring import drift, model_figures, rights


@dataclass
class CheckPage:
    check: ScoringDriftCheck
    figures: list[Figure]
    rated_by: list[tuple[str, int]]  # who rated the back-test's cases, in the reader's words, most first
    population: str  # what became of the PSI, in words


@dataclass
class Card:
    """The latest check on the portfolio dashboard."""

    check: ScoringDriftCheck
    population: str  # the PSI's level, or why there is none, in a few words


def level_word(level: str) -> str:
    code = "drift_level_" + level  # a code of the vocabulary (``wording.CODES``)
    return _(code)


def population_word(check: ScoringDriftCheck) -> str:
    """The PSI's level, or in a few words why there is none."""
    state = (check.psi_shares or {}).get("state")
    if check.model_id is None:
        return _("no champion")
    if state == "failed":
        return _("the champion could not score")
    if state == "other_columns":
        return _("the champion rates no case")
    if state == "no_reference":
        return _("no training shares kept")
    return level_word(check.psi_level)


def _population(check: ScoringDriftCheck) -> str:
    shares = check.psi_shares or {}
    state = shares.get("state")
    if check.model_id is None:
        return _("None: the rating used the bank's hand-set scorecard, so there is no PSI of a model.")
    if state == "failed":
        return _(
            "The champion could not score the applications; the log says why. The back-test below stands."
        )
    if state == "other_columns":
        return _(
            "The champion reads columns the cases do not have (it was trained on a file), so the hand-set "
            "scorecard rated the applications and there is no PSI of the champion."
        )
    if state == "no_reference":
        return _("The champion keeps no training shares to compare with.")
    left = shares.get("left_out") or {}
    return _(
        "%(value)s · %(word)s · %(count)s applications rated from %(since)s to %(until)s (left out as the training "
        "leaves them out: %(declined)s declined, %(in_default)s already in default)",
        value="—" if check.psi is None else f"{check.psi:.4f}",
        word=level_word(check.psi_level),
        count=check.applications,
        since=shares.get("rated_from", "—"),
        until=shares.get("rated_to", "—"),
        declined=left.get("declined", 0),
        in_default=left.get("in_default", 0),
    )


def latest_seen_by(user: User) -> Card | None:
    """The latest check, for a reader of the models (the dashboard's card); None for anyone else."""
    found = drift.latest() if rights.may_read(user) else None
    return Card(found, population_word(found)) if found is not None else None


def trend(user: User) -> Figure:
    """The recent checks, oldest first, each drilling down to its page."""
    rights.check_reader(user)
    checks = list(reversed(drift.recent()))
    rows = [
        {
            "month": c.month.strftime("%Y-%m"),
            "model": c.model_label or _("hand-set scorecard"),
            "applications": c.applications if c.model_id is not None else None,
            "psi": round(c.psi, 4) if c.psi is not None else None,
            "psi_level": population_word(c),
            "red": sum(g["level"] == "red" for g in c.grades),
            "level": level_word(c.level),
            "drill": {"check_id": c.id},
        }
        for c in checks
    ]
    charted = any(row["psi"] is not None for row in rows)
    return Figure(
        "drift",
        _("Monthly checks"),
        (
            Column("month", _("Month")),
            Column("model", _("Champion")),
            Column("applications", _("Applications scored"), "count"),
            Column("psi", _("PSI of the PD"), "ratio"),
            Column("psi_level", _("Population")),
            Column("red", _("Grades whose PD fell short"), "count"),
            Column("level", _("Monitoring level")),
        ),
        rows,
        Chart("line", "month", ("psi",)) if charted else Chart("none", "", ()),
        drill="models.drift_check",
        note=_(
            "Each month, once %(days)s days past its end: the champion's PD on the applications of the quarter to "
            "the month's end against its training sample, and the realised default rate of each grade over the decisions whose window has closed. "
            "The thresholds are the rule table model_drift.",
            days=drift.grace().days,
        ),
    )


def check_page(user: User, check_id: int) -> CheckPage:
    rights.check_reader(user)
    found = db.session.get(ScoringDriftCheck, check_id)
    if found is None:
        raise NotFound(_("No such scoring model check."))
    figures = [_grades(found)]
    if (found.psi_shares or {}).get("state", "scored") == "scored" and (found.psi_shares or {}).get("cuts"):
        figures.insert(0, _psi(found))
    by = sorted((found.cohort.get("rated_by") or {}).items(), key=lambda item: -item[1])
    rated_by = [(_("hand-set scorecard") if name == drift.HAND_SET else name, count) for name, count in by]
    return CheckPage(found, figures, rated_by, _population(found))


def _psi(found: ScoringDriftCheck) -> Figure:
    shares = found.psi_shares or {}
    labels = model_figures.band_labels(shares.get("cuts", []))
    rows = [
        {"bin": label, "train": _pct(t), "month": _pct(m)}
        for label, t, m in zip(labels, shares.get("train", []), shares.get("month", []), strict=False)
    ]
    return Figure(
        "psi",
        _("Stability of the champion's PD (PSI): the quarter's applications against the training sample"),
        (
            Column("bin", _("PD band (training deciles)")),
            Column("train", _("Training share"), "pct"),
            Column("month", _("Share of the quarter's applications"), "pct"),
        ),
        rows,
        Chart("bar", "bin", ("train", "month")),
        note=_(
            "PSI %(value)s over the %(count)s applications rated from %(since)s to %(until)s: %(word)s.",
            value="—" if found.psi is None else f"{found.psi:.4f}",
            count=found.applications,
            since=shares.get("rated_from", "—"),
            until=shares.get("rated_to", "—"),
            word=level_word(found.psi_level),
        ),
    )


def _grades(found: ScoringDriftCheck) -> Figure:
    rows = [
        {
            "grade": g["grade"],
            "cases": g["cases"],
            "defaults": g["defaults"],
            "realised": _pct(g["realised"]),
            "predicted": _pct(g["predicted"]),
            "p_value": round(g["p_value"], 4),
            "level": level_word(g["level"]),
        }
        for g in found.grades
    ]
    cohort = found.cohort
    return Figure(
        "grades",
        _("Realised default rate per grade against its PD"),
        (
            Column("grade", _("Grade")),
            Column("cases", _("Cases followed"), "count"),
            Column("defaults", _("Defaults"), "count"),
            Column("realised", _("Realised default rate"), "pct"),
            Column("predicted", _("Mean PD at rating"), "pct"),
            Column("p_value", _("Chance of so many defaults at that PD"), "ratio"),
            Column("level", _("Monitoring level")),
        ),
        rows,
        Chart("bar", "grade", ("realised", "predicted")),
        note=_(
            "Credit applications decided from %(since)s to %(until)s, each followed for %(months)s months and put "
            "in the grade its PD falls in on the master scale (before any cap by class, override or distress "
            "zone): %(used)s cases, %(defaults)s defaults. Each grade's level is the rule table model_drift's "
            "reading of the chance of at least so many defaults at its PD (a one-sided binomial test).",
            since=cohort.get("decided_from", "—"),
            until=_day_before(cohort.get("decided_before")),
            months=cohort.get("window_months", "—"),
            used=sum(g["cases"] for g in found.grades),
            defaults=sum(g["defaults"] for g in found.grades),
        ),
    )


def _day_before(day: str | None) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat() if day else "—"


def _pct(value: float | None) -> float | None:
    return None if value is None else round(float(value) * 100, 4)
