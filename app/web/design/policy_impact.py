"""Policy impact of a draft decision table on the current portfolio (designers): a page comparing the working
copy with the file, and the fragment the table editor posts its unsaved XML to."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.language import in_language
from app.services.customers.master import customers as customer_service
from app.services.design.deployment import deployment_review
from app.services.design.impact import policy_impact as impact_service
from app.services.design.impact.impact_frames import InputsUnavailable
from app.web.args import whole_number
from app.web.input_guard import lines_allowed

policy_impact = Blueprint("policy_impact", __name__)
CHART_BARS = 15  # transitions drawn; the table lists them all


@policy_impact.app_template_global()
def impact_value(value: Any, locale: str = "en") -> str:
    """A table's output as the designer wrote it: "—" where no rule matched, numbers with separators."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        if math.isfinite(value) and value == int(value) and -1e15 < value < 1e15:
            return f"{int(value):,}"
        return f"{value:,}" if not isinstance(value, float) else f"{value:,.6g}"
    if isinstance(value, tuple):  # an entry of a multiple-hit table: its first two outputs
        return " · ".join(impact_value(v, locale) for v in value[:2])
    return str(in_language(str(value), locale))


def charts(impact: impact_service.Impact, locale: str) -> dict[str, dict]:
    """The bar charts of the fragment, as ``static/impact.js`` draws them (by output, or "entries")."""
    if impact.multi:
        values = [e for e in impact.entries if e.gained or e.lost or e.altered][:CHART_BARS]
        return {
            "entries": {
                "labels": [impact_value(e.value, locale) for e in values],
                "datasets": [
                    {"key": "gained", "data": [e.gained for e in values]},
                    {"key": "lost", "data": [e.lost for e in values]},
                    {"key": "altered", "data": [e.altered for e in values]},
                ],
            }
        }
    return {
        o.name: {
            "labels": [
                f"{impact_value(t.before, locale)} → {impact_value(t.after, locale)}"
                for t in o.transitions[:CHART_BARS]
            ],
            "datasets": [{"key": "customers", "data": [t.count for t in o.transitions[:CHART_BARS]]}],
        }
        for o in impact.outputs
        if o.transitions
    }


def _fragment_context(dmn_file: str, compute) -> tuple[dict, int]:
    try:
        impact = compute()
    except (InvalidInput, InputsUnavailable) as exc:
        return {"dmn_file": dmn_file, "impact": None, "error": exc}, exc.status
    locale = str(get_locale())
    return {
        "dmn_file": dmn_file,
        "impact": impact,
        "error": None,
        "charts": charts(impact, locale),
        "link_customers": current_user.role in customer_service.READERS,
    }, 200


@policy_impact.route("/designer/impact/<dmn_file>")
@login_required
def page(dmn_file: str):
    """The working copy (the saved draft, else the file) against the file in rules/; with ``request``, the
    table as that pending deployment request would deploy it."""
    request_id = whole_number("request")
    if request_id is not None:
        context, status = _fragment_context(
            dmn_file, lambda: deployment_review.table_impact(current_user, request_id, dmn_file)
        )
        return render_template("designer/impact.html", request_id=request_id, **context), status
    context, status = _fragment_context(
        dmn_file, lambda: impact_service.impact_of_working_copy(current_user, dmn_file)
    )
    return render_template("designer/impact.html", **context), status


@policy_impact.route("/designer/impact/<dmn_file>", methods=["POST"])
@lines_allowed("xml")
@login_required
def fragment(dmn_file: str):
    """The impact of the XML posted (the editor's unsaved table), as the fragment only."""
    context, status = _fragment_context(
        dmn_file, lambda: impact_service.impact(current_user, dmn_file, request.form.get("xml", ""))
    )
    return render_template("designer/_impact.html", **context), status
