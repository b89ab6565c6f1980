"""The portfolio dashboard (风险管理驾驶舱, ``/analytics/portfolio``) and the customers behind each figure
(``/analytics/portfolio/customers``). Who reads which part of the book is the services' rule
(``rights.portfolio_reach``); a figure's XLSX is the page's own route with ``?export=<figure key>``."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from app.services.analytics.filters import Filters
from app.services.analytics.portfolio_dashboard import portfolio as dashboard_service
from app.services.analytics.portfolio_dashboard import portfolio_customers
from app.services.scoring import drift_pages
from app.web.analytics.hub import export_of
from app.web.args import page_number

portfolio = Blueprint("portfolio", __name__)


@portfolio.route("/analytics/portfolio")
@login_required
def dashboard():
    """Every figure of the dashboard in the reader's reach, under the page's filters (or one as XLSX)."""
    filters = Filters.parse(request.args)
    page = dashboard_service.dashboard(current_user, filters)
    if request.args.get("export"):
        return export_of(page.figures, request.args["export"], "portfolio")
    return render_template(
        "analytics/portfolio.html",
        page=page,
        filters=filters,
        branches=page.branches,
        segments=page.segments,
        model_check=drift_pages.latest_seen_by(current_user),
    )


@portfolio.route("/analytics/portfolio/customers")
@login_required
def customers():
    """The customers behind one figure's row (the row's arguments and the page's filters)."""
    filters = Filters.parse(request.args)
    listing = portfolio_customers.customers(current_user, filters, request.args, page_number())
    return render_template("analytics/portfolio_customers.html", listing=listing, filters=filters)
