"""The KPI pages (绩效考核), one function per page: what a view renders, computed from one read of the frames.

- ``dashboard``: the process figures over the reader's reach, and a table of the people in it (officers, then
  approvers) with their score this period and the previous one.
- ``person``: one person's figures this period against the previous one, their score line by line (weight,
  target, attainment, points), each figure drilling down to the cases or customers behind it.

Training completion per branch (培训完成率) is the training room's figure (``people.training.records``), shown here
over the dashboard's reach as of the period's end: a branch's, or every branch's for management; not on one
person's own figures (their training record is their own page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.language import configured_locale
from app.models import Customer, User
from app.models.base import utcnow
from app.services.analytics.figures import Column, Figure, figure_from_json
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data, kpi_kept, kpi_process, kpi_scorecard
from app.services.analytics.kpis.kpi_bank import BankFrames
from app.services.analytics.kpis.kpi_people import PeriodFrames, metrics_for, people_in, role_of, score_of
from app.services.analytics.kpis.kpi_rights import KpiReach, check_person, kpi_reach
from app.services.people.training import records


@dataclass(frozen=True)
class DashboardPage:
    figures: list[Figure]
    reach: KpiReach
    as_of: datetime  # when the figures were computed (stored UTC)
    precomputed: bool  # read from what the job keeps (else computed for this request)
    branches: list[str]
    segments: list[str]


@dataclass(frozen=True)
class PersonPage:
    person: User
    figure: Figure
    score: kpi_scorecard.Score
    score_before: kpi_scorecard.Score
    as_of: datetime
    precomputed: bool
    titles: dict[str, str]  # metric → its title, for the score's explanation


def dashboard(reader: User, filters: Filters) -> DashboardPage:
    """The KPI dashboard for ``reader`` (NotAuthorized for a role without KPIs): kept by the job for the default
    filters (``as_of`` then says when it was computed), else computed now."""
    reach = kpi_reach(reader)
    kept = kpi_kept.stored(kpi_kept.scope_of(reach.narrowed(filters.branch)), filters, configured_locale())
    if kept is not None:
        figures, as_of, precomputed = kpi_kept.figures_of(kept.page["figures"]), kept.computed_at, True
    else:
        figures, as_of, precomputed = dashboard_figures(reach, filters), utcnow(), False
    return DashboardPage(figures, reach, as_of, precomputed, _branches(reach), _segments())


def dashboard_figures(reach: KpiReach, filters: Filters, bank: BankFrames | None = None) -> list[Figure]:
    """Every figure of the dashboard over ``reach`` narrowed by ``filters``. ``bank``: the whole bank's frames,
    read once by the job that keeps every scope, narrowed here; else what the reach needs is read."""
    scope = reach.narrowed(filters.branch)
    people = people_in(reach, filters)
    if bank is not None:
        periods: tuple[PeriodFrames, PeriodFrames] | None = (bank.now, bank.before)
        now, before = bank.process(scope)
        open_cases = bank.open_cases(scope)
    else:
        ids = None if scope.whole_bank else [p.id for p in people]
        periods = (
            (PeriodFrames.read(filters, ids), PeriodFrames.read(filters.previous(), ids)) if people else None
        )
        if periods is not None and scope.whole_bank:  # the people's frames are the whole bank's: read once
            now, before = periods[0].process, periods[1].process
        else:
            now = kpi_process.Frames.read(reach, filters)
            before = kpi_process.Frames.read(reach, filters.previous())
        open_cases = kpi_data.open_cases(reach, filters)
    figures = [
        kpi_process.headline_figure(now, before),
        kpi_process.open_figure(open_cases),
        kpi_process.turnaround_figure(now),
        kpi_process.stages_figure(now),
        kpi_process.sla_figure(now),
        *(_people_figures(people, *periods) if people and periods is not None else []),
    ]
    if scope.person is None:
        figures.append(records.completion_of(scope.branch, filters.date_to))
    return figures


def _people_figures(people: list[User], now: PeriodFrames, before: PeriodFrames) -> list[Figure]:
    out = []
    for role, key, title in (
        ("officer", "officers", _("Officers")),
        ("approver", "approvers", _("Approvers")),
    ):
        metrics = metrics_for(role)
        weights = kpi_scorecard.weights_of(role, list(metrics))
        rows = []
        for person in (p for p in people if p.role == role):
            mine, score = score_of(now, person, weights)
            rows.append(
                {
                    "name": person.display_name,
                    "score": score.total,
                    "score_before": score_of(before, person, weights)[1].total,
                    **mine,
                    "drill": {"user_id": person.id},
                }
            )
        if rows:
            out.append(
                Figure(
                    f"{key}_scores",
                    _("%(people)s: score this period and the previous one", people=title),
                    (
                        Column("name", _("Name")),
                        Column("score", _("Score"), "ratio"),
                        Column("score_before", _("Previous score"), "ratio"),
                    ),
                    rows,
                    kpi_process.Chart("bar", "name", ("score", "score_before")),
                    drill="kpis.person",
                )
            )
            columns = (
                Column("name", _("Name")),
                *(Column(m, str(t), kind) for m, (t, kind) in metrics.items()),
            )
            out.append(Figure(key, title, columns, rows, drill="kpis.person"))
    return out


def person(reader: User, user_id: int, filters: Filters) -> PersonPage:
    """``user_id``'s figures and score (NotFound, or NotAuthorized outside the reader's reach): kept by the job
    for the default filters, else computed now."""
    found = db.session.get(User, user_id)
    if found is None:
        raise NotFound(_("No such person."))
    check_person(reader, found)
    titles = {metric: str(title) for metric, (title, _kind) in metrics_for(role_of(found)).items()}
    kept = kpi_kept.stored(kpi_kept.page_scope(found.id), filters, configured_locale())
    if kept is not None and kept.page.get("role") == found.role:  # else kept before their role changed
        figure = figure_from_json(kept.page["figure"])
        score, before = kpi_kept.score_of(kept.page["score"]), kpi_kept.score_of(kept.page["score_before"])
        return PersonPage(found, figure, score, before, kept.computed_at, True, titles)
    figure, score, before = person_figures(found, filters)
    return PersonPage(found, figure, score, before, utcnow(), False, titles)


def person_figures(
    found: User, filters: Filters, bank: BankFrames | None = None
) -> tuple[Figure, kpi_scorecard.Score, kpi_scorecard.Score]:
    """``found``'s figures line by line and their score this period and the previous one (``bank``: the whole
    bank's frames read once by the job, else ``found``'s own are read)."""
    role = role_of(found)
    if bank is not None:
        frames_now, frames_before = bank.now, bank.before
    else:
        frames_now, frames_before = (
            PeriodFrames.read(filters, [found.id]),
            PeriodFrames.read(filters.previous(), [found.id]),
        )
    now, score = score_of(frames_now, found)
    before, score_before = score_of(frames_before, found)
    lines = {line.weight.metric: line for line in score.lines}
    rows = []
    for metric, (title, _kind) in metrics_for(role).items():
        line = lines.get(metric)
        rows.append(
            {
                "metric": str(title),
                "now": _plain(now[metric]),
                "before": _plain(before[metric]),
                "target": line.weight.target if line else None,
                "weight": line.weight.weight if line else None,
                "attainment": line.attainment if line else None,
                "points": line.points if line else None,
                "drill": {"user_id": found.id, "measure": metric},
            }
        )
    figure = Figure(
        "scorecard",
        _("Figures and score"),
        (
            Column("metric", _("Figure")),
            Column("now", _("This period"), "ratio"),
            Column("before", _("Previous period"), "ratio"),
            Column("target", _("Target"), "ratio"),
            Column("weight", _("Weight"), "ratio"),
            Column("attainment", _("Attainment"), "pct"),
            Column("points", _("Points"), "ratio"),
        ),
        rows,
        kpi_process.Chart("bar", "metric", ("attainment",)),
        drill="kpis.cases",
        total={
            **dict.fromkeys(("now", "before", "target", "weight", "attainment")),
            "metric": _("Score (100: every target met)"),
            "points": score.total,
        },
    )
    return figure, score, score_before


def _plain(value: object) -> Decimal | float | int | None:
    return value if isinstance(value, (Decimal, float, int)) else None


def _branches(reach: KpiReach) -> list[str]:
    if not reach.whole_bank:
        return []
    return sorted(set(db.session.scalars(select(User.branch).where(User.role.in_(("officer", "approver"))))))


def _segments() -> list[str]:
    return sorted(s for s in db.session.scalars(select(Customer.segment).distinct()) if s)
