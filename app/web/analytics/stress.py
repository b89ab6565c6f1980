"""Stress tests (压力测试): the scenarios and the last run's figures, the scenario form (risk managers), a run
asked for, and the customers behind a figure. Authorization and every figure live in the services."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.language import N_
from app.services.analytics.stress import stress_results, stress_runs, stress_scenarios
from app.services.customers.relationship.book_filter import INDUSTRIES
from app.web.analytics.hub import export_of
from app.web.args import whole_number
from app.web.input_guard import lines_allowed

stress = Blueprint("stress", __name__, url_prefix="/analytics/stress")
# A run's state as the page names it (``stress_status_<status>``)
STATUS_WORDS = (
    N_("stress_status_queued"),
    N_("stress_status_running"),
    N_("stress_status_done"),
    N_("stress_status_failed"),
)


def _run_arg() -> int | None:
    # digits only and within a row id (``²`` is a digit to ``str.isdigit`` but no number to ``int``)
    return whole_number("run")


@stress.route("")
@login_required
def index():
    """The scenarios, their last runs, and one run's figures (``?run=``; by default the last one done)."""
    found = stress_results.page(current_user, _run_arg())
    if request.args.get("export"):
        return export_of(found.figures, request.args["export"], "stress")
    return render_template(
        "analytics/stress.html", page=found, args={"run": found.run.id} if found.run else {}
    )


def _form(scenario=None):
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = {
            "name": request.form.get("name"),
            "description": request.form.get("description"),
            "shocks": stress_scenarios.shocks_from_form(request.form),
        }
        try:
            if scenario is None:
                kept = stress_scenarios.create(current_user, data)
            else:
                kept = stress_scenarios.update(current_user, scenario.id, data)
            flash(_("Scenario %(name)s kept.", name=kept.name))
            return redirect(url_for("stress.index"))
        except InvalidInput as exc:
            errors = exc.errors
    entered = request.form if request.method == "POST" else None
    return render_template(
        "analytics/stress_form.html",
        scenario=scenario,
        entered=entered,
        errors=errors,
        industries=INDUSTRIES,
        rows=stress_scenarios.MAX_SHOCKS,
    ), 422 if errors else 200


@stress.route("/scenarios/new", methods=["GET", "POST"])
@lines_allowed("description")
@login_required
def new_scenario():
    """A new scenario (risk managers)."""
    stress_scenarios.check_keeper(current_user)
    return _form()


@stress.route("/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@lines_allowed("description")
@login_required
def edit_scenario(scenario_id: int):
    """Change a scenario (risk managers); its runs keep the shocks they ran with."""
    stress_scenarios.check_keeper(current_user)
    return _form(stress_scenarios.get(current_user, scenario_id))


@stress.route("/scenarios/<int:scenario_id>/run", methods=["POST"])
@login_required
def run_scenario(scenario_id: int):
    """Run the scenario over the whole book (a job; the page shows it when done)."""
    started = stress_runs.request(current_user, scenario_id)
    flash(_("The stress test is running; its figures show here when it is done."))
    return redirect(url_for("stress.index", run=started.id))


@stress.route("/runs/<int:run>/customers")
@login_required
def customers(run: int):
    """The customers behind a figure of a run (by industry, grade or class before, or warning rule)."""
    drill = stress_results.Drill.parse(request.args)
    found_run, figure = stress_results.customers_figure(current_user, run, drill)
    if request.args.get("export"):
        return export_of([figure], request.args["export"], f"stress-{run}")
    return render_template(
        "analytics/stress_customers.html", run=found_run, shown=stress_results.shown(figure), drill=drill
    )
