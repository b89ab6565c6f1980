"""The analytics hub (``/analytics``): the tabs a user may open, and the figure export every tab shares."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.documents import sheets
from app.errors import NotAuthorized, NotFound
from app.models import User
from app.services.analytics import rights
from app.services.analytics.figures import Figure, sheet_rows
from app.services.scoring import rights as scoring_rights
from app.web.downloads import attachment

analytics = Blueprint("analytics", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may(roles: tuple[str, ...]) -> Callable[[User], bool]:
    return lambda user: user.role in roles


# (endpoint, title, who may open it): a tab shows when its endpoint exists and the user may open it
TABS: list[tuple[str, object, Callable[[User], bool]]] = [
    ("portfolio.dashboard", _l("Portfolio"), _may(rights.PORTFOLIO_READERS)),
    ("kpis.dashboard", _l("KPIs"), _may(rights.CREDIT_USERS)),
    ("stress.index", _l("Stress tests"), _may(rights.PORTFOLIO_READERS)),
    ("case_library.index", _l("Case library"), _may(rights.CREDIT_USERS)),
    ("models.index", _l("Scoring models"), _may(scoring_rights.READERS)),
    ("training.index", _l("Training"), lambda user: True),
]


def tabs_for(user: User) -> list[tuple[str, object]]:
    return [
        (endpoint, title)
        for endpoint, title, may in TABS
        if endpoint in current_app.view_functions and may(user)
    ]


@analytics.app_context_processor
def analytics_tabs() -> dict:
    """The tabs of the analytics pages, for their shared navigation (and the top bar's one link)."""
    if not getattr(current_user, "is_authenticated", False):
        return {"analytics_tabs": []}
    return {"analytics_tabs": tabs_for(current_user)}


@analytics.route("/analytics")
@login_required
def index():
    """The first tab the user may open."""
    tabs = tabs_for(current_user)
    if not tabs:
        raise NotAuthorized(str(_l("No analytics page is open to your role.")))
    return redirect(url_for(tabs[0][0]))


def xlsx_response(figure: Figure, name: str) -> Response:
    """The figure as an XLSX download (its table exactly; text that looks like a formula stays text)."""
    return Response(
        sheets.xlsx_bytes(figure.key[:31], sheet_rows(figure)),
        mimetype=XLSX,
        headers=attachment(f"{name}-{figure.key}.xlsx"),
    )


def export_of(figures: list[Figure], key: str, name: str) -> Response:
    """The export of the page's figure named ``key`` (404 when the page has none of that name)."""
    for figure in figures:
        if figure.key == key:
            return xlsx_response(figure, name)
    raise NotFound(str(_l("This page has no such table.")))
