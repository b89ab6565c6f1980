"""Post-loan inspections (贷后检查): the managers' list, and an inspection started by hand — from the customer's
page (with a reason, or one of its open warnings) or from a warning on its escalation's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.localtime import local_today
from app.models import ProcessInstance
from app.services.customers.inspections import ad_hoc, reads
from app.web.input_guard import lines_allowed

inspection_pages = Blueprint("inspections", __name__)
inspection_pages.add_app_template_global(local_today, "today_local")  # an inspection's due date: overdue?


@inspection_pages.app_context_processor
def inspection_words() -> dict:
    """The names of the kinds, states and finding areas, for every page that shows an inspection."""
    return {
        "inspection_kinds": reads.KIND_TITLES,
        "inspection_statuses": reads.STATUS_TITLES,
        "finding_areas": reads.AREA_TITLES,
    }


def _opened(case: ProcessInstance):
    """To the officer's task when the one who started it holds it, else to the case."""
    flash(_("Inspection %(reference)s started.", reference=case.reference))
    task = ad_hoc.task_for(current_user, case)
    if task is not None:
        return redirect(url_for("tasks.show", task_id=task.id))
    return redirect(url_for("cases.show", case_id=case.id))


@inspection_pages.route("/inspections")
@login_required
def index():
    """Overdue, due soon, awaiting sign-off and recent findings, over the manager's part of the book."""
    return render_template("inspections/list.html", found=reads.listing(current_user))


@inspection_pages.route("/customers/<int:customer_id>/inspections/new", methods=["GET", "POST"])
@lines_allowed("reason")
@login_required
def new(customer_id: int):
    """Start an ad hoc inspection of the customer (its officer or a risk manager)."""
    form = ad_hoc.start_form(current_user, customer_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            return _opened(ad_hoc.start(current_user, customer_id, request.form))
        except InvalidInput as exc:
            errors = exc.errors
    return render_template(
        "inspections/new.html",
        form=form,
        entered=request.form if request.method == "POST" else request.args,
        errors=errors,
    ), 422 if errors else 200


@inspection_pages.route("/warnings/<int:warning_id>/inspection", methods=["POST"])
@login_required
def from_warning(warning_id: int):
    """Start an ad hoc inspection answering an open warning (its customer's officer or a risk manager)."""
    return _opened(ad_hoc.start_from_warning(current_user, warning_id, request.form))
