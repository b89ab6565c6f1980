"""Facilities that mature (授信到期): the list of those maturing within 30/60/90 days, and a renewal (续授信)
proposed by hand from it or from the customer's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict
from app.services.cases import tasks as task_service
from app.services.customers.facilities import maturing, renewals
from app.web.args import page_number, whole_number
from app.web.auth.auth import safe_next

facilities = Blueprint("facilities", __name__)


@facilities.route("/facilities/maturing")
@login_required
def maturing_list():
    """The live facilities of the reader's customers maturing within ``within`` days (30, 60, 90; matured ones
    still live too), with totals per band; ``renewal`` narrows them by their renewal's state."""
    listing = maturing.maturing(
        current_user, whole_number("within"), request.args.get("renewal") or None, page=page_number()
    )
    return render_template(
        "facilities/maturing.html",
        listing=listing,
        within_choices=maturing.WITHIN,
        renewal_filters=maturing.RENEWAL_FILTERS,
    )


@facilities.route("/facilities/<int:facility_id>/renew", methods=["POST"])
@login_required
def renew(facility_id: int):
    """The customer's officer proposes the facility's renewal: a new application, prefilled, whose intake
    opens at once. One proposed meanwhile is named and opened instead."""
    try:
        instance = renewals.propose(current_user, facility_id)
    except Conflict as exc:
        flash(exc.message)
        if exc.details.get("case_id"):
            return redirect(url_for("cases.show", case_id=exc.details["case_id"]))
        return redirect(safe_next(request.form.get("next") or url_for("facilities.maturing_list")))
    flash(_("Renewal proposed: case %(reference)s.", reference=instance.reference))
    first = task_service.first_open_task(current_user, instance.id)
    if first is None:
        return redirect(url_for("cases.show", case_id=instance.id))
    return redirect(url_for("tasks.show", task_id=first.id))
