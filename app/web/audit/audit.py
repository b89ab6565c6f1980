"""The auditor's workspace (compliance, read-only): search the audit log, export it, check its chain."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.audit import audit_checks, audit_search, exceptions, sampling
from app.services.audit.audit_search import AuditFilter
from app.web.args import whole_number
from app.web.downloads import attachment
from app.web.vocabulary import event_families, outcome_choices, process_choices

audit = Blueprint("audit", __name__)


def _filters() -> tuple[AuditFilter, dict[str, str]]:
    try:
        return AuditFilter.from_args(request.args), {}
    except InvalidInput as exc:  # the search keeps what could be read
        return AuditFilter.from_args(
            {k: v for k, v in request.args.items() if k not in exc.errors}
        ), exc.errors


@audit.route("/audit")
@login_required
def search():
    filters, errors = _filters()
    page = audit_search.search(current_user, filters, whole_number("before"))
    return render_template(
        "audit/search.html",
        page=page,
        filters=filters,
        errors=errors,
        last_check=audit_checks.last_check(),
        families=event_families(),
        processes=process_choices(),
        outcomes=outcome_choices(),
    ), 422 if errors else 200


@audit.route("/audit/export.<kind>")
@login_required
def export(kind: str):
    filters, errors = _filters()
    if errors:
        raise InvalidInput(_("The search cannot be run."), errors)
    if kind == "csv":
        return Response(
            audit_search.export_csv(current_user, filters),
            mimetype="text/csv",
            headers=attachment("audit.csv"),
        )
    if kind == "xlsx":
        return Response(
            audit_search.export_xlsx(current_user, filters),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers=attachment("audit.xlsx"),
        )
    raise InvalidInput(_("Unknown export."), {"kind": _("csv or xlsx")})


@audit.route("/audit/exceptions")
@login_required
def exceptions_dashboard():
    """What an auditor looks at first: overrides, escalations, returns, delegations, double signing, near misses."""
    return render_template("audit/exceptions.html", sections=exceptions.dashboard(current_user))


@audit.route("/audit/sampling", methods=["GET", "POST"])
@login_required
def sampling_reviews():
    """Start a sampling review of a period; the reviews so far."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            review = sampling.start(
                current_user,
                request.form.get("period_from", ""),
                request.form.get("period_to", ""),
                request.form.get("seed") or None,
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect(url_for("cases.show", case_id=review.id))
    return render_template(
        "audit/sampling.html", reviews=sampling.reviews(current_user), errors=errors, entered=request.form
    ), 422 if errors else 200
