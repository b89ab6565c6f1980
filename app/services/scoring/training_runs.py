"""Training asked for in the browser or over the API: the request checked and kept with its file (or, to train on
the system's own history, without one), a job that trains (``versions.train_from_file`` or
``versions.train_from_history``), and the version it kept — or, for data that cannot be used, every problem by row
and column, or the history's counts (the run ``failed``, nothing else stored).

A redelivered job finds its run done and leaves it; a run that died while running is run again whole (a
training keeps nothing until its version, in one unit).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.inputs.text import text_problem
from app.language import kept, shown, stored
from app.models.base import utcnow
from app.models.people import User
from app.models.scoring import ScoringTrainingRun
from app.scoring.training import ALGORITHMS
from app.services.audit import audit
from app.services.monitoring import import_files
from app.services.monitoring.import_files import UnreadableFile
from app.services.scoring import history, rights, versions
from app.services.shared import dispatch, job_runs
from app.services.shared.unit_of_work import unit_of_work

LOST_AFTER = timedelta(minutes=40)  # since taken; the job's time limit is 30 minutes (``app.jobs.scoring``)
log = logging.getLogger(__name__)
SHORT_TEXT = 80
MONOTONIC_TEXT = 500  # the columns' names, comma-separated (the form's field holds as many)


def request(user: User, file_name: str | None, content: bytes, form: dict[str, Any]) -> ScoringTrainingRun:
    """Check the request (each field named in the refusal) and the file's declared size, keep both, queue the job."""
    rights.check_keeper(user)
    errors: dict[str, str] = {}
    name = ""
    source = _text(form.get("source")) or "file"
    fields = {key: _text(form.get(key)) for key in ("target", "bad", "name")}
    if source == "history":  # no file: the builder reads the cases, and its table says what a default is
        content, fields["target"], fields["bad"] = b"", history.TARGET, "default"
        fields["name"] = fields["name"] or history.DEFAULT_NAME
    elif source != "file":
        errors["source"] = _("one of %(keys)s", keys="file, history")
    else:
        try:
            name, _work = import_files.checked_upload(file_name, content, import_files.Limits.configured())
        except UnreadableFile as exc:
            errors["file"] = str(shown(stored(exc.args[0])))
        for key in ("target", "bad"):
            if not fields[key]:
                errors[key] = _("required")
    for key, value in fields.items():
        if problem := text_problem(value):
            errors[key] = problem
        elif len(value) > SHORT_TEXT:
            errors[key] = _("at most %(count)s characters", count=SHORT_TEXT)
    algorithm = _text(form.get("algorithm")) or ALGORITHMS[0]
    if algorithm not in ALGORITHMS:
        errors["algorithm"] = _("one of %(keys)s", keys=", ".join(ALGORITHMS))
    wanted = versions.monotonic_columns(_text(form.get("monotonic")))
    monotonic = sorted(wanted) if wanted is not None else None
    if problem := text_problem(_text(form.get("monotonic"))):
        errors["monotonic"] = problem
    elif len(_text(form.get("monotonic"))) > MONOTONIC_TEXT:
        errors["monotonic"] = _("at most %(count)s characters", count=MONOTONIC_TEXT)
    if errors:
        raise InvalidInput(_("The training was not started."), errors)
    with unit_of_work():
        run = ScoringTrainingRun(
            status="queued",
            requested_by_id=user.id,
            requested_at=utcnow(),
            source="history" if source == "history" else "file",
            file_name=name,
            content=content,
            target=fields["target"],
            bad_value=fields["bad"],
            algorithm=algorithm,
            name=fields["name"] or fields["target"],
            monotonic=monotonic,
        )
        db.session.add(run)
        db.session.flush()
        audit.record(
            "scoring_model.training_requested",
            user,
            run_id=run.id,
            source=run.source,
            file=name,
            size=len(content),
            algorithm=algorithm,
        )
        dispatch.enqueue(dispatch.TRAIN_MODEL, run.id)
    return run


def run(run_id: int) -> ScoringTrainingRun | None:
    """Train for the run ``run_id`` (the job's one call); None when there is no such run. The run is taken in one
    statement (``job_runs.take``), so a job delivered twice trains once; the version and the run's ``done`` are
    one unit, written only while the run is still this worker's (``versions._kept``)."""
    taken = job_runs.take(ScoringTrainingRun, run_id, LOST_AFTER)
    found = db.session.get(ScoringTrainingRun, run_id)
    if found is not None:
        db.session.refresh(found)
    if found is None or taken is None:
        return found
    monotonic = set(found.monotonic) if found.monotonic is not None else None
    try:
        if found.source == "history":
            versions.train_from_history(
                found.algorithm, found.name, author=found.requested_by, monotonic=monotonic, run=found
            )
        else:
            versions.train_from_file(
                found.file_name,
                found.content or b"",
                found.target,
                found.bad_value,
                found.algorithm,
                found.name,
                author=found.requested_by,
                monotonic=monotonic,
                run=found,
            )
    except (
        versions.TakenOver
    ):  # lost and queued again meanwhile: the worker that took it over keeps its version
        db.session.rollback()
        return found
    except versions.DataRefused as refused:
        db.session.rollback()
        _failed(found, [stored(p) for p in refused.problems], taken)
        return found
    except Exception:  # noqa: BLE001 - whatever stopped it, the page says so instead of waiting
        db.session.rollback()
        log.exception("scoring training run %s failed", run_id)
        _failed(found, [stored(kept("the training stopped on an unexpected error; ask for it again"))], taken)
        raise
    db.session.refresh(found)
    return found


def revive_lost() -> int:
    """Queue again the runs whose worker was lost, or fail those taken too often (``job_runs.revive``); how many."""
    return job_runs.revive(
        ScoringTrainingRun,
        LOST_AFTER,
        dispatch.TRAIN_MODEL,
        lambda found: _failed(found, [stored(kept("the training did not finish in time; ask for it again"))]),
    )


def _failed(found: ScoringTrainingRun, problems: list, taken_at: datetime | None = None) -> None:
    """The run failed with ``problems`` and its file dropped — when ``taken_at`` is given, only while the run is
    still the worker's that took it then."""
    still = (
        job_runs.mine(ScoringTrainingRun, found.id, taken_at)
        if taken_at
        else ScoringTrainingRun.id == found.id
    )
    with unit_of_work():
        db.session.execute(
            update(ScoringTrainingRun)
            .where(still)
            .values(status="failed", finished_at=utcnow(), problems=problems, content=None)
            .execution_options(synchronize_session=False)
        )
    db.session.refresh(found)


def get(user: User, run_id: int) -> ScoringTrainingRun:
    rights.check_reader(user)
    revive_lost()
    found = db.session.get(ScoringTrainingRun, run_id)
    if found is None:
        raise NotFound(_("No training %(id)s.", id=run_id))
    return found


def recent(limit: int = 10) -> list[ScoringTrainingRun]:
    revive_lost()
    query = (
        select(ScoringTrainingRun)
        .options(selectinload(ScoringTrainingRun.requested_by), selectinload(ScoringTrainingRun.model))
        .order_by(ScoringTrainingRun.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
