"""Scoring models (模型管理): the versions with the champion and challengers, a training asked for (a job, with
its progress), one version's validation (figures, exports, the PDF report), a file scored with it, and the
four-eyes steps. Authorization and every figure live in ``services.scoring``."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.scoring import drift_pages, governance, model_pages, report, training_runs, versions
from app.web.analytics.hub import export_of
from app.web.downloads import attachment
from app.web.input_guard import lines_allowed

models = Blueprint("models", __name__, url_prefix="/analytics/models")


@models.route("")
@login_required
def index():
    """The versions, the champion and its challengers, the monthly checks, the recent trainings and (risk) the
    training form; ``?export=drift`` the checks as XLSX."""
    page = model_pages.index(current_user)
    if request.args.get("export"):
        return export_of([page.drift] if page.drift else [], request.args["export"], "models")
    return render_template("analytics/models.html", page=page, errors={}, entered={})


@models.route("/train", methods=["POST"])
@login_required
def train():
    """Ask for a training on the uploaded file (a job; its page shows the progress)."""
    upload = request.files.get("file")
    try:
        run = training_runs.request(
            current_user, upload.filename if upload else "", upload.read() if upload else b"", request.form
        )
    except InvalidInput as exc:
        page = model_pages.index(current_user)
        return render_template(
            "analytics/models.html", page=page, errors=exc.errors, entered=request.form
        ), 422
    return redirect(url_for("models.show_run", run_id=run.id))


@models.route("/runs/<int:run_id>")
@login_required
def show_run(run_id: int):
    return render_template("analytics/model_run.html", run=training_runs.get(current_user, run_id))


@models.route("/runs/<int:run_id>/progress")
@login_required
def run_progress(run_id: int):
    """The run's progress alone (polled by the run's page until it is done)."""
    return render_template("analytics/_model_run_progress.html", run=training_runs.get(current_user, run_id))


@models.route("/<int:model_id>")
@login_required
def show(model_id: int):
    """One version: data, figures, left-out columns and governance; ``?export=`` one figure as XLSX."""
    found = model_pages.page(current_user, model_id)
    if request.args.get("export"):
        return export_of(found.figures, request.args["export"], f"model-{model_id}")
    return render_template("analytics/model.html", page=found, errors={})


@models.route("/monitoring/<int:check_id>")
@login_required
def drift_check(check_id: int):
    """One month's check of the models in use (模型监测); ``?export=`` one figure as XLSX."""
    found = drift_pages.check_page(current_user, check_id)
    if request.args.get("export"):
        return export_of(found.figures, request.args["export"], f"model-check-{check_id}")
    return render_template("analytics/model_check.html", page=found)


@models.route("/<int:model_id>/report.pdf")
@login_required
def report_pdf(model_id: int):
    """The model validation report (模型验证报告) in the reader's language."""
    content, name = report.validation_report(current_user, model_id)
    return Response(content, mimetype="application/pdf", headers=attachment(name))


@models.route("/<int:model_id>/score", methods=["POST"])
@login_required
def score(model_id: int):
    """The uploaded file's rows in order with their PD (and points), as CSV."""
    upload = request.files.get("file")
    try:
        content, _rows = versions.score_upload(
            current_user, model_id, upload.filename if upload else "", upload.read() if upload else b""
        )
    except versions.DataRefused as refused:
        found = model_pages.page(current_user, model_id)
        return render_template("analytics/model.html", page=found, errors={"score": refused.problems}), 422
    return Response(
        content,
        mimetype="text/csv",
        headers=attachment(f"scored-model-{model_id}.csv"),
    )


@models.route("/<int:model_id>/propose", methods=["POST"])
@lines_allowed("note")
@login_required
def propose(model_id: int):
    """Propose the version as champion or challenger; a second person decides."""
    governance.propose(current_user, model_id, request.form.get("role", ""), request.form.get("note", ""))
    flash(_("Proposed; a second person in risk management approves or rejects it."))
    return redirect(url_for("models.show", model_id=model_id))


@models.route("/<int:model_id>/decide", methods=["POST"])
@lines_allowed("note")
@login_required
def decide(model_id: int):
    """Approve or reject the open proposal (four-eyes)."""
    step = governance.decide(
        current_user, model_id, request.form.get("decision"), request.form.get("note", "")
    )
    flash(_("Approved.") if step.action == "approved" else _("Rejected."))
    return redirect(url_for("models.show", model_id=model_id))


@models.route("/<int:model_id>/retire", methods=["POST"])
@lines_allowed("note")
@login_required
def retire(model_id: int):
    """Retire the champion or a challenger, with a reason."""
    governance.retire(current_user, model_id, request.form.get("note", ""))
    flash(_("Retired."))
    return redirect(url_for("models.show", model_id=model_id))
