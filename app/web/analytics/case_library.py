"""The case library (案例库, ``/analytics/cases``): the analyses found by industry, cause, tag, outcome and words,
their causes counted, what each warning rule caught before a default; one entry with its customer's timeline
(``case_library.show``, the stable link to an entry); an analysis started by hand from a customer's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.analytics.case_library import causes, entries, evidence, rights, search, start
from app.web.analytics.hub import export_of

case_library = Blueprint("case_library", __name__)
NAME = "case-library"


@case_library.app_context_processor
def case_library_rights() -> dict:
    """Whether a user may start an analysis by hand (a closed escalation's page offers a success case)."""
    return {"may_start_analysis": rights.may_start}


@case_library.route("/analytics/cases")
@login_required
def index():
    """The library: a page of analyses, the causes of those found and the rules' evidence (``?export=`` a table)."""
    rights.check_read(current_user)
    query = search.Query.parse(request.args)
    export = request.args.get("export")
    if export == "cases":
        return export_of([search.list_figure(current_user, query)], export, NAME)
    figures = [search.causes_figure(current_user, query), evidence.rule_figure(current_user)]
    if export:
        return export_of(figures, export, NAME)
    return render_template(
        "analytics/case_library.html",
        found=search.find(current_user, query),
        query=query,
        figures=figures,
        cause_titles=causes.cause_titles(),
        outcome_titles=causes.outcome_titles(),
        triggers=causes.TRIGGERS,
    )


@case_library.route("/analytics/cases/<int:analysis_id>")
@login_required
def show(analysis_id: int):
    """One analysis: its record, who wrote and approved it, and the customer's timeline up to the default."""
    return render_template(
        "analytics/case_library_entry.html",
        view=entries.entry(current_user, analysis_id),
        triggers=causes.TRIGGERS,
    )


@case_library.route("/analytics/cases/evidence")
@login_required
def evidence_page():
    """What each warning rule caught before a default (credit users and designers; ``?export=rules``)."""
    figure = evidence.rule_figure(current_user)
    if request.args.get("export"):
        return export_of([figure], request.args["export"], NAME)
    return render_template("analytics/case_library_evidence.html", figure=figure)


@case_library.route("/customers/<int:customer_id>/case-analysis/new", methods=["GET", "POST"])
@login_required
def new(customer_id: int):
    """A risk manager starts an analysis of the customer by hand (a success case of a closed warning, or another)."""
    form = entries.start_form(current_user, customer_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            case = start.start_by_hand(current_user, customer_id, request.form)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Case analysis %(reference)s started.", reference=case.reference))
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template(
        "analytics/case_library_new.html",
        form=form,
        entered=request.form if request.method == "POST" else request.args,
        errors=errors,
        triggers=causes.TRIGGERS,
    ), 422 if errors else 200
