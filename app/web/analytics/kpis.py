"""Process and staff KPIs (绩效考核): the dashboard, a person's page and the cases behind any figure. Each route
parses the filters, asks one page service (which checks who may read what) and renders, or exports one figure
as XLSX when asked ``?export=<figure key>``."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_drill, kpi_pages
from app.web.analytics.hub import export_of
from app.web.args import whole_number

kpis = Blueprint("kpis", __name__)


@kpis.route("/analytics/kpis")
@login_required
def dashboard():
    """The process figures and the people in the reader's reach, this period against the previous one."""
    filters = Filters.parse(request.args)
    page = kpi_pages.dashboard(current_user, filters)
    if request.args.get("export"):
        return export_of(page.figures, request.args["export"], "kpis")
    return render_template(
        "analytics/kpis.html", page=page, filters=filters, branches=page.branches, segments=page.segments
    )


@kpis.route("/analytics/kpis/people/<int:user_id>")
@login_required
def person(user_id: int):
    """One officer's or approver's figures and score (403 outside the reader's reach)."""
    filters = Filters.parse(request.args)
    page = kpi_pages.person(current_user, user_id, filters)
    if request.args.get("export"):
        return export_of([page.figure], request.args["export"], f"kpis-{user_id}")
    return render_template("analytics/kpis_person.html", page=page, filters=filters)


@kpis.route("/analytics/kpis/cases")
@login_required
def cases():
    """The cases or customers behind one figure (``measure``, ``key``; ``user_id`` for a person's figure)."""
    filters = Filters.parse(request.args)
    person = whole_number("user_id")  # a 422 naming it, not None (the whole reach) or an overflow
    figure = kpi_drill.rows_of(
        current_user, filters, request.args.get("measure", ""), request.args.get("key"), person
    )
    if request.args.get("export"):
        return export_of([figure], request.args["export"], "kpis-cases")
    return render_template("analytics/kpis_cases.html", figure=figure, filters=filters)
