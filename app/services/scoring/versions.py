"""Training a model version from a file, finding a version, and scoring a file with it.

``train_from_file`` reads the file within the import limits, types every cell (a refusal lists each
problem by row and column, and nothing is stored), trains on 70% (seeded, stratified) and validates on the
other 30%, and keeps the result as a new version of ``name`` — never overwriting one — with the file's
SHA-256, its rows, the parameters, the figures and the signed model; audited ``scoring_model.trained``.
Who may train: risk management (``rights``) and the command line.

``score_file`` writes each row of a file in order with ``pd`` (and ``points`` for a scorecard): the target
may be absent; unseen categories and missing values are scored (``app.scoring.table``), never refused.
"""

from __future__ import annotations

import getpass
from typing import Any

import numpy as np
import sklearn
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.documents.sheets import csv_frame_bytes
from app.errors import Conflict, DomainError, NotFound
from app.extensions import db
from app.inputs.text import escaped
from app.language import Kept, kept, shown
from app.models.base import utcnow
from app.models.people import User
from app.models.scoring import ScoringModel, ScoringTrainingRun
from app.scoring import table, training
from app.scoring.problems import TableRefused
from app.scoring.woe_scorecard import WoeScorecard
from app.services.audit import audit
from app.services.monitoring import import_files
from app.services.monitoring.import_files import Limits, UnreadableFile
from app.services.scoring import artifacts, data_files, history, rights, wording
from app.services.shared import job_runs
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work

NAME_LENGTH = 80
SCORE_INLINE_ROWS = 100_000
VERSION_ATTEMPTS = 3
SCORE_COLUMNS = ("pd", "points")  # what a scored file gains


class TakenOver(Exception):
    """The training run was queued again and taken by another worker while this one trained: it keeps nothing."""


class DataRefused(DomainError):
    """The file cannot train or be scored; ``problems`` lists what is wrong, by row and column."""

    status = 422

    def __init__(self, problems: list[Kept]) -> None:
        super().__init__("; ".join(shown(p.stored()) for p in problems[:5]))
        self.problems = problems


def train_from_file(
    file_name: str,
    content: bytes,
    target: str,
    bad: str,
    algorithm: str = training.SCORECARD,
    name: str | None = None,
    author: User | None = None,
    monotonic: set[str] | None = None,
    run: ScoringTrainingRun | None = None,
) -> ScoringModel:
    """A new version trained on the file (module docstring); ``author`` None is the command line."""
    _check_request(author, algorithm)
    name = (name or target).strip()[:NAME_LENGTH] or "model"
    try:
        cells, rows = data_files.cells_of(file_name, content)
        typed = table.type_for_training(cells, rows, target.strip(), bad)
        trained = training.train(typed, algorithm, monotonic=monotonic)
    except UnreadableFile as error:
        raise DataRefused([error.args[0]]) from error
    except TableRefused as error:
        raise DataRefused(wording.refusal(error)) from error
    return _kept(
        trained,
        name=name,
        source="file",
        source_name=file_name[:200],
        fingerprint=data_files.fingerprint(content),
        rows=len(typed.target),
        defaults=int(typed.target.sum()),
        target=target.strip()[:80],
        bad_value=bad.strip()[:80],
        params=_params(monotonic),
        author=author,
        run=run,
    )


def train_from_history(
    algorithm: str = training.SCORECARD,
    name: str | None = None,
    author: User | None = None,
    monotonic: set[str] | None = None,
    run: ScoringTrainingRun | None = None,
) -> ScoringModel:
    """A new version trained on the system's decided credit applications (``history``); refused, with the
    builder's counts, when they hold too few defaults or goods to learn from."""
    _check_request(author, algorithm)
    found = history.build()
    if found.table is None:
        problems = wording.refusal(found.refused) if found.refused is not None else []
        raise DataRefused([*problems, wording.history_counts(found.report())])
    try:
        trained = training.train(found.table, algorithm, monotonic=monotonic)
    except TableRefused as error:
        raise DataRefused([*wording.refusal(error), wording.history_counts(found.report())]) from error
    return _kept(
        trained,
        name=(name or "").strip()[:NAME_LENGTH] or history.DEFAULT_NAME,
        source="history",
        source_name="",
        fingerprint=found.fingerprint,
        rows=found.used,
        defaults=found.defaults,
        period_from=found.period[0],
        period_to=found.period[1],
        target=history.TARGET,
        bad_value="default",
        params=_params(monotonic, history=found.report()),
        author=author,
        run=run,
    )


def _check_request(author: User | None, algorithm: str) -> None:
    rights.check_keeper(author)
    if algorithm not in training.ALGORITHMS:
        raise DataRefused([kept("unknown algorithm %(name)s (scorecard or gbm)", name=algorithm)])


def _params(monotonic: set[str] | None, **more: Any) -> dict[str, Any]:
    """What a version was trained with: the monotonic columns, the seed and hold-out, scikit-learn's version."""
    return {
        "monotonic": sorted(monotonic) if monotonic is not None else "numeric",
        "seed": training.SEED,
        "hold_out": training.HOLD_OUT,
        "sklearn": sklearn.__version__,
        **more,
    }


def _kept(
    trained: training.Trained, *, name: str, author: User | None, run: ScoringTrainingRun | None, **facts: Any
) -> ScoringModel:
    """The version kept (and the run that asked for it marked done, in the same unit); a version number taken by a
    training of the same name meanwhile is taken again, the next one."""
    for attempt in range(VERSION_ATTEMPTS):
        try:
            return _insert(trained, name=name, author=author, run=run, **facts)
        except Conflict:
            if attempt == VERSION_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _insert(
    trained: training.Trained, *, name: str, author: User | None, run: ScoringTrainingRun | None, **facts: Any
) -> ScoringModel:
    used = training.used_features(trained.model)
    kinds = _kinds(trained.model)
    content, signature = artifacts.packed(trained.model)
    with unit_of_work():
        latest = db.session.scalar(select(func.max(ScoringModel.version)).where(ScoringModel.name == name))
        version = ScoringModel(
            name=name,
            version=(latest or 0) + 1,
            algorithm=trained.algorithm,
            features={column: kinds[column] for column in used},
            excluded=[{"column": e.column, "code": e.code, "facts": e.facts} for e in trained.excluded],
            figures=_plain(trained.figures),
            n_train=trained.n_train,
            n_validation=trained.n_validation,
            artifact=content,
            signature=signature,
            author_id=author.id if author else None,
            author_name=author.username if author else f"cli:{getpass.getuser()}"[:80],
            **facts,
        )
        db.session.add(version)
        db.session.flush()
        if run is not None:
            done = db.session.execute(
                update(ScoringTrainingRun)
                .where(job_runs.mine(ScoringTrainingRun, run.id, run.attempted_at))
                .values(status="done", finished_at=utcnow(), model_id=version.id, content=None)
                .execution_options(synchronize_session=False)
            )
            if not rowcount(done):
                raise TakenOver(run.id)
        audit.record(
            "scoring_model.trained",
            author,
            model_id=version.id,
            name=name,
            version=version.version,
            algorithm=version.algorithm,
            fingerprint=version.fingerprint,
            rows=version.rows,
            auc=round(version.figures["auc"], 4),
        )
    return version


def summary(version: ScoringModel) -> dict[str, Any]:
    """A version as the command line and the API give it: its identity, headline figures and data."""
    found = version.figures
    return {
        "model_id": version.id,
        "name": version.name,
        "version": version.version,
        "algorithm": version.algorithm,
        "status": version.status,
        **{key: round(found[key], 6) for key in ("auc", "ks", "gini", "train_auc")},
        "psi": round(found["psi"]["value"], 6),
        "n_train": version.n_train,
        "n_validation": version.n_validation,
        "rows": version.rows,
        "defaults": version.defaults,
        "features": version.features,
        "fingerprint": version.fingerprint,
        "source": version.source,
        **({"history": version.params.get("history")} if version.source == "history" else {}),
        "created_at": version.created_at.isoformat() + "Z",
        "author": version.author.username if version.author else version.author_name,
    }


def monotonic_columns(text: str | None) -> set[str] | None:
    """The columns to bin monotonic as a person writes them (comma-separated, a full-width comma too): blank is
    every numeric column (None), ``none`` no column."""
    if text is None or not text.strip():
        return None
    names = (name.strip() for name in text.replace("，", ",").split(","))
    return {name for name in names if name and name.lower() != "none"}


def find(model_id: int) -> ScoringModel:
    version = db.session.get(ScoringModel, model_id)
    if version is None:
        raise NotFound(_("No scoring model %(id)s.", id=model_id))
    return version


def model_of(version: ScoringModel) -> training.Model:
    return artifacts.unpacked(version.artifact, version.signature)


def score_file(
    model_id: int, file_name: str, content: bytes, limits: Limits | None = None
) -> tuple[bytes, int]:
    """The file's rows in order with ``pd`` (and ``points``), as CSV; and how many rows (within ``limits``)."""
    version = find(model_id)
    model = model_of(version)
    try:
        cells, rows = data_files.cells_of(file_name, content, limits)
        typed = table.type_for_scoring(cells, rows, version.features)
    except UnreadableFile as error:
        raise DataRefused([error.args[0]]) from error
    except TableRefused as error:
        raise DataRefused(wording.refusal(error)) from error
    taken = sorted(set(SCORE_COLUMNS) & set(cells.columns))
    if taken:  # written over, the file's own column would be lost from what comes back
        raise DataRefused(
            [
                kept(
                    "the file has a column %(column)s, where the scores are written: rename it",
                    column=escaped(taken[0]),
                )
            ]
        )
    out = cells.copy()
    out["pd"] = np.round(model.predict_pd(typed.features), 6)
    if isinstance(model, WoeScorecard):
        out["points"] = np.round(model.points(typed.features), 1)
    return csv_frame_bytes(out), len(out)


def score_upload(user: User, model_id: int, file_name: str | None, content: bytes) -> tuple[bytes, int]:
    """``score_file`` for a person in risk management, for a file of at most ``SCORE_INLINE_ROWS`` rows (a
    larger one goes through the command line or the API's batch job, not a waiting request)."""
    rights.check_keeper(user)
    limits = Limits.configured()
    inline = Limits(
        min(limits.rows, SCORE_INLINE_ROWS),
        limits.columns,
        limits.cells,
        limits.unpacked,
        rows_hint=str(_("score a larger file with flask models score or over the API")),
    )
    try:
        name, _work = import_files.checked_upload(file_name, content, inline)
    except UnreadableFile as error:
        raise DataRefused([error.args[0]]) from error
    scored = score_file(model_id, name, content, inline)  # an XLSX's rows counted, not taken from its header
    with unit_of_work():
        audit.record("scoring_model.scored", user, model_id=model_id, file=name, rows=scored[1])
    return scored


def _kinds(model: training.Model) -> dict[str, str]:
    if isinstance(model, WoeScorecard):
        return {name: b.kind for name, b in model.binnings.items()}
    return dict(model.kinds)


def _plain(value: Any) -> Any:
    """Figures as JSON: numpy numbers as Python numbers, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
