"""Scoring models in the JSON API (模型管理): the versions, a training as a job with its progress, and a batch
scored. Routed in ``app.web.api.api``; rights and checks live in ``services.scoring``."""

from __future__ import annotations

from flask import g, jsonify, request, url_for

from app.language import shown
from app.models.scoring import ScoringModel, ScoringTrainingRun
from app.services.scoring import batch, model_pages, training_runs, versions
from app.web.api.shared import json_body, token_required
from app.web.args import page_number


def _version_json(version: ScoringModel) -> dict:
    found = versions.summary(version)
    return {"id": found.pop("model_id"), **found}


def _run_json(run: ScoringTrainingRun) -> dict:
    return {
        "id": run.id,
        "status": run.status,
        "source": run.source,
        "model_id": run.model_id,
        "problems": [str(shown(p)) for p in run.problems or []],
        "requested_at": run.requested_at.isoformat() + "Z",
        "finished_at": run.finished_at.isoformat() + "Z" if run.finished_at else None,
    }


@token_required
def list_models():
    """Every version, newest first, a page at a time (``?page=``), with how many there are."""
    number = page_number()
    listed, total = model_pages.versions_page(g.api_user, number)
    return jsonify(
        models=[_version_json(v) for v in listed], total=total, page=number, per_page=model_pages.PER_PAGE
    )


@token_required
def get_model(model_id: int):
    return jsonify(_version_json(model_pages.version(g.api_user, model_id)))


@token_required
def start_training():
    """A training on the uploaded file (multipart/form-data: ``file``, ``target``, ``bad``, ``algorithm``,
    ``name``, ``monotonic``) or, with ``source`` history, on the decided credit applications; run as a job: 202
    with the run to poll."""
    upload = request.files.get("file")
    run = training_runs.request(
        g.api_user, upload.filename if upload else "", upload.read() if upload else b"", request.form
    )
    body = _run_json(run)
    body["progress"] = url_for("api.get_training", run_id=run.id)
    return jsonify(body), 202


@token_required
def get_training(run_id: int):
    """The training's status, its version once kept, or the problems that refused its file."""
    return jsonify(_run_json(training_runs.get(g.api_user, run_id)))


@token_required
def score_batch(model_id: int):
    """Score ``{"rows": [{column: value, ...}, ...], "explain": false}`` in order."""
    body = json_body()
    return jsonify(batch.score_rows(g.api_user, model_id, body.get("rows"), body.get("explain", False)))
