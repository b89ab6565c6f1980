"""Training asked for in the browser or over the API: the request checked and kept with its file, a job that
trains (``versions.train_from_file``) and says its stage as it goes, and the version it kept — or, for a file
that cannot be used, every problem by row and column (the run ``failed``, nothing else stored).

A redelivered job finds its run done and leaves it; a run that died while running is run again whole (a
training keeps nothing until its version, in one unit).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.language import kept, shown, stored
from app.models.base import utcnow
from app.models.people import User
from app.models.scoring import ScoringTrainingRun
from app.scoring.training import ALGORITHMS
from app.services.audit import audit
from app.services.monitoring import import_files
from app.services.monitoring.import_files import UnreadableFile
from app.services.scoring import rights, versions
from app.services.shared import dispatch
from app.services.shared.unit_of_work import unit_of_work

EXTENSIONS = (".csv", ".xlsx")
SHORT_TEXT = 80


def request(user: User, file_name: str | None, content: bytes, form: dict[str, Any]) -> ScoringTrainingRun:
    """Check the request (each field named in the refusal) and the file's declared size, keep both, queue the job."""
    rights.check_keeper(user)
    errors: dict[str, str] = {}
    name = PurePath(file_name or "").name
    if not name or PurePath(name).suffix.lower() not in EXTENSIONS:
        errors["file"] = _("a .csv or .xlsx file, not %(name)s", name=name or "-")
    elif not content:
        errors["file"] = _("the file is empty")
    else:
        try:
            import_files.measure(name, content, import_files.Limits.configured())
        except UnreadableFile as exc:
            errors["file"] = str(shown(stored(exc.args[0])))
    fields = {key: _text(form.get(key)) for key in ("target", "bad", "name")}
    for key in ("target", "bad"):
        if not fields[key]:
            errors[key] = _("required")
    for key, value in fields.items():
        if len(value) > SHORT_TEXT or any(ord(c) < 32 or ord(c) == 127 for c in value):
            errors[key] = _("at most %(count)s characters, without control characters", count=SHORT_TEXT)
    algorithm = _text(form.get("algorithm")) or ALGORITHMS[0]
    if algorithm not in ALGORITHMS:
        errors["algorithm"] = _("one of %(keys)s", keys=", ".join(ALGORITHMS))
    monotonic = _columns(form.get("monotonic"))
    if errors:
        raise InvalidInput(_("The training was not started."), errors)
    with unit_of_work():
        run = ScoringTrainingRun(
            status="queued",
            stage="queued",
            requested_by_id=user.id,
            requested_at=utcnow(),
            source="file",
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
            file=name,
            size=len(content),
            algorithm=algorithm,
        )
        dispatch.enqueue(dispatch.TRAIN_MODEL, run.id)
    return run


def run(run_id: int) -> ScoringTrainingRun | None:
    """Train for the run ``run_id`` (the job's one call); None when there is no such run."""
    found = db.session.get(ScoringTrainingRun, run_id)
    if found is None or found.status in ("done", "failed"):
        return found
    found.status, found.stage = "running", "training"
    db.session.commit()
    try:
        version = versions.train_from_file(
            found.file_name,
            found.content or b"",
            found.target,
            found.bad_value,
            found.algorithm,
            found.name,
            author=found.requested_by,
            monotonic=set(found.monotonic) if found.monotonic is not None else None,
        )
    except versions.DataRefused as refused:
        db.session.rollback()
        found.status, found.stage, found.finished_at = "failed", "refused", utcnow()
        found.problems, found.content = [stored(p) for p in refused.problems], None
        db.session.commit()
        return found
    except Exception as exc:  # noqa: BLE001 - whatever stopped it, the page says so instead of waiting
        db.session.rollback()
        found.status, found.stage, found.finished_at = "failed", "error", utcnow()
        found.problems = [stored(kept("the training stopped: %(reason)s", reason=str(exc)[:300]))]
        db.session.commit()
        raise
    found.status, found.stage, found.finished_at = "done", "kept", utcnow()
    found.model_id, found.content = version.id, None
    db.session.commit()
    return found


def get(user: User, run_id: int) -> ScoringTrainingRun:
    rights.check_reader(user)
    found = db.session.get(ScoringTrainingRun, run_id)
    if found is None:
        raise NotFound(_("No training %(id)s.", id=run_id))
    return found


def recent(limit: int = 10) -> list[ScoringTrainingRun]:
    query = select(ScoringTrainingRun).order_by(ScoringTrainingRun.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _columns(value: Any) -> list[str] | None:
    """The monotonic columns as entered: blank is every numeric column, ``none`` none."""
    text = _text(value)
    if not text:
        return None
    return [
        c.strip() for c in text.replace("，", ",").split(",") if c.strip() and c.strip().lower() != "none"
    ]
