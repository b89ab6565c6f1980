"""Training management (培训管理) at ``/analytics/training``: everyone's own record (required courses and where
they stand, history, readings to acknowledge) and, for managers, the completion per branch and their people.
The catalogue, sessions and readings are kept on the pages of ``training_keep``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.services.analytics.filters import Filters
from app.services.people.training import readings, records, rights
from app.web.analytics.hub import export_of

training = Blueprint("training", __name__)
training.add_app_template_global(readings.link_of, "reading_link")  # where an assigned entry opens


@training.route("/analytics/training")
@login_required
def index():
    """My training; below it, for managers, the completion per branch as of ``date_to`` (today by default),
    narrowed to ``branch`` (``?export=completion``: its XLSX), and their people."""
    manager = rights.is_manager(current_user)
    filters = Filters.parse(request.args) if manager else None
    as_of, branch = (filters.date_to, filters.branch) if filters else (None, None)
    figures = [records.by_branch(current_user, as_of, branch)] if manager else []
    if request.args.get("export"):
        return export_of(figures, request.args["export"], "training")
    return render_template(
        "analytics/training.html",
        record=records.my_record(current_user),
        figures=figures,
        as_of=as_of,
        branch=branch,
        branches=records.branches(current_user) if manager else [],
        people=records.people_in_reach(current_user, as_of, branch) if manager else [],
        keeper=current_user.role in rights.KEEPERS,
    )


@training.route("/analytics/training/people/<int:user_id>")
@login_required
def person(user_id: int):
    """A person's record, for their managers."""
    return render_template(
        "analytics/training_person.html",
        record=records.person_record(current_user, user_id),
        keeper=current_user.role in rights.KEEPERS,
    )


@training.route("/analytics/training/readings/<int:assignment_id>/acknowledge", methods=["POST"])
@login_required
def acknowledge(assignment_id: int):
    """Acknowledge having read an assigned case-library entry."""
    readings.acknowledge(current_user, assignment_id)
    flash(_("Reading acknowledged."))
    return redirect(url_for("training.index", _anchor="readings"))
