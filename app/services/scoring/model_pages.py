"""What the scoring model pages show (one call per view, rights checked here): the versions with the champion
and its challengers, the recent trainings, and one version's page (its data, figures, left-out columns and
governance, and what the reader may do with it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.errors import NotAuthorized
from app.extensions import db
from app.language import shown
from app.models.people import User
from app.models.scoring import ScoringModel, ScoringModelDecision, ScoringTrainingRun
from app.services.analytics.figures import Figure
from app.services.scoring import (
    drift,
    drift_pages,
    governance,
    model_figures,
    rights,
    training_runs,
    versions,
    wording,
)

LISTED = 100  # the page's list
PER_PAGE = 100  # the API's, a page at a time


@dataclass
class IndexPage:
    versions: list[ScoringModel]
    champion: ScoringModel | None
    challengers: list[ScoringModel]
    runs: list[ScoringTrainingRun]
    may_keep: bool
    pending: set[int] = field(default_factory=set)  # versions with a proposal waiting
    drift: Figure | None = None  # the recent monthly checks (``drift_pages.trend``)
    grace_days: int = 0  # how long after its end a month is checked


@dataclass
class ModelPage:
    version: ScoringModel
    figures: list[Figure]
    history: list[ScoringModelDecision]
    proposal: ScoringModelDecision | None
    may_keep: bool
    may_decide: bool
    excluded: list[str]  # the left-out columns, each with its reason, in the reader's words
    history_counts: str | None = None  # trained on the history: the cases read, used and left out, in words


def index(user: User) -> IndexPage:
    rights.check_reader(user)
    query = select(ScoringModel).options(selectinload(ScoringModel.author)).order_by(ScoringModel.id.desc())
    listed = list(db.session.scalars(query.limit(LISTED)))
    waiting = governance.waiting([v.id for v in listed])
    return IndexPage(
        listed,
        governance.champion(),
        governance.challengers(),
        training_runs.recent(),
        user.role in rights.KEEPERS,
        waiting,
        drift_pages.trend(user),
        drift.grace().days,
    )


def versions_page(user: User, number: int) -> tuple[list[ScoringModel], int]:
    """Page ``number`` (from 1) of every version, newest first, ``PER_PAGE`` at a time, and how many there are
    (the API's list: the page's other parts are not read)."""
    rights.check_reader(user)
    total = db.session.scalar(select(func.count()).select_from(ScoringModel)) or 0
    query = select(ScoringModel).options(selectinload(ScoringModel.author)).order_by(ScoringModel.id.desc())
    return list(db.session.scalars(query.offset((number - 1) * PER_PAGE).limit(PER_PAGE))), total


def version(user: User, model_id: int) -> ScoringModel:
    """One version, for a reader of the models."""
    rights.check_reader(user)
    return versions.find(model_id)


def page(user: User, model_id: int) -> ModelPage:
    rights.check_reader(user)
    version = versions.find(model_id)
    proposal = governance.open_proposal(version)
    may_decide = False
    if proposal is not None:
        try:
            rights.check_second_person(user, version, proposal.actor_id)
            may_decide = True
        except (
            NotAuthorized
        ):  # the proposer, the author or not in risk: the page says a second person decides
            may_decide = False
    return ModelPage(
        version,
        model_figures.figures(version),
        governance.history(version),
        proposal,
        user.role in rights.KEEPERS,
        may_decide,
        [str(shown(words.stored())) for words in wording.exclusions(version.excluded)],
        str(shown(wording.history_counts(counts).stored()))
        if (counts := version.params.get("history"))
        else None,
    )
