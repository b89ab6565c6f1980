"""Monitoring data in: import a file (with its progress), enter an observation, read what came in."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.monitoring import import_downloads, imports, observations, portfolio_checks
from app.services.monitoring import watchlist as watchlist_service
from app.web.downloads import attachment

monitoring = Blueprint("monitoring", __name__)
ERRORS_SHOWN = 200


@monitoring.route("/monitoring", methods=["GET", "POST"])
@login_required
def index():
    """The imports so far and the upload form; a POST uploads a file (small ones are imported at once,
    larger ones by a Celery job whose progress the import's page shows: see ``imports.submit``)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            job = imports.submit(
                current_user, upload.filename if upload else "", upload.read() if upload else b""
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect(url_for("monitoring.show_import", import_id=job.id))
    return render_template(
        "monitoring/index.html",
        imports=imports.recent(current_user),
        errors=errors,
        fields=observations.FIELDS,
    ), 422 if errors else 200


@monitoring.route("/monitoring/template.<kind>")
@login_required
def import_template(kind: str):
    """An empty file to fill in and import: ``?headers=zh`` (Chinese) or ``en`` (the column names)."""
    content, name = import_downloads.template(current_user, kind, request.args.get("headers", "zh"))
    mimetype = (
        "text/csv" if kind == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(content, mimetype=mimetype, headers=attachment(name))


@monitoring.route("/monitoring/imports/<int:import_id>")
@login_required
def show_import(import_id: int):
    return render_template(
        "monitoring/import.html", job=imports.get(current_user, import_id), shown=ERRORS_SHOWN
    )


@monitoring.route("/monitoring/imports/<int:import_id>/progress")
@login_required
def import_progress(import_id: int):
    """The progress fragment the import page polls (htmx) until the import is done."""
    return render_template(
        "monitoring/_progress.html", job=imports.get(current_user, import_id), shown=ERRORS_SHOWN
    )


@monitoring.route("/monitoring/imports/<int:import_id>/errors.csv")
@login_required
def import_errors(import_id: int):
    job = imports.get(current_user, import_id)
    return Response(
        import_downloads.errors_csv(job),
        mimetype="text/csv",
        headers=attachment(f"import-{job.id}-errors.csv"),
    )


@monitoring.route("/monitoring/imports/<int:import_id>/file")
@login_required
def import_file(import_id: int):
    job = imports.get(current_user, import_id)
    return Response(
        job.content,
        mimetype="application/octet-stream",
        headers=attachment(
            f"import-{job.id}{'.xlsx' if job.file_name.lower().endswith('.xlsx') else '.csv'}"
        ),
    )


@monitoring.route("/monitoring/observations/new", methods=["GET", "POST"])
@login_required
def new_observation():
    """Enter one observation on the screen."""
    observations.check_role(current_user, write=True)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            observation = observations.record(current_user, request.form.to_dict(), "screen")
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(
                _(
                    "Observation stored for %(customer)s on %(date)s.",
                    customer=observation.customer.name,
                    date=observation.observed_on.isoformat(),
                )
            )
            return redirect(url_for("customers.show", customer_id=observation.customer_id))
    return render_template(
        "monitoring/new.html",
        fields=observations.FIELDS,
        errors=errors,
        entered=request.form,
        ratings=observations.RATINGS,
    ), 422 if errors else 200


@monitoring.route("/watchlist")
@login_required
def watchlist():
    severity = request.args.get("severity") or None
    customers, flagged = watchlist_service.listing(current_user, severity)
    return render_template(
        "monitoring/watchlist.html",
        customers=customers,
        flagged=flagged,
        severity=severity,
        check=portfolio_checks.latest(current_user),
    )


@monitoring.route("/watchlist/check", methods=["POST"])
@login_required
def run_check():
    """A risk manager runs the portfolio check now (a Celery job; beat runs it daily); the watchlist page
    follows its progress."""
    portfolio_checks.request(current_user)
    return redirect(url_for("monitoring.watchlist"))


@monitoring.route("/watchlist/checks/<int:check_id>/progress")
@login_required
def check_progress(check_id: int):
    """The check's progress fragment the watchlist polls (htmx) until it is done."""
    return render_template(
        "monitoring/_check.html", check=portfolio_checks.get(current_user, check_id), polled=True
    )
