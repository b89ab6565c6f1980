"""The designer's workspace: processes and their versions, decision tables and processes with their tests."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.design.deployment import deployment_requests as requests
from app.services.design.deployment import deployment_review, diagram_labels
from app.services.design.deployment import version_diff as version_diff_service
from app.services.design.deployment.deployment import DeploymentRefused
from app.services.design.workspace import designer as designer_service
from app.web.args import whole_number

designer = Blueprint("designer", __name__)


@designer.route("/designer")
@login_required
def overview():
    return _overview()


def _overview(errors: dict[str, str] | None = None, problems=None, status: int = 200):
    return render_template(
        "designer/overview.html",
        versions=designer_service.versions(current_user),
        tables=designer_service.tables(current_user),
        process_suites=designer_service.process_suites(current_user),
        requests=requests.listing(current_user),
        errors=errors or {},
        problems=problems or [],
    ), status


@designer.route("/designer/deployments", methods=["POST"])
@login_required
def request_deployment():
    """Ask for what is in workflows/, rules/ and forms/ now to be deployed (a second person approves)."""
    try:
        row = requests.request(current_user, request.form.get("note", ""))
    except DeploymentRefused as exc:
        return _overview(problems=exc.problems, status=422)
    except InvalidInput as exc:
        return _overview(errors=exc.errors, status=422)
    flash(_("Deployment request %(id)s waits for a second designer's approval.", id=row.id))
    return redirect(url_for("designer.overview"))


@designer.route("/designer/deployments/<int:request_id>/<decision>", methods=["POST"])
@login_required
def decide_deployment(request_id: int, decision: str):
    if decision == "approve":
        row = requests.approve(current_user, request_id, request.form.get("comment", ""))
        flash(
            _(
                "Deployed: %(versions)s.",
                versions=", ".join(f"{p} v{v}" for p, v, _created in row.outcome or []),
            )
        )
    elif decision == "reject":
        requests.reject(current_user, request_id, request.form.get("comment", ""))
        flash(_("The deployment request was rejected."))
    else:
        raise InvalidInput(_("Unknown decision."), {"decision": _("approve or reject")})
    return redirect(url_for("designer.overview"))


@designer.route("/designer/deployments/<int:request_id>")
@login_required
def deployment_request(request_id: int):
    """A deployment request with what it changes: each process's diff and each table's policy impact."""
    return render_template("designer/request.html", review=deployment_review.review(current_user, request_id))


@designer.route("/designer/deployments/<int:request_id>/<process_id>/diff")
@login_required
def request_diff(request_id: int, process_id: str):
    """What a pending request changes in one process, against the version running now."""
    return render_template(
        "designer/diff.html",
        d=deployment_review.process_diff(current_user, request_id, process_id),
        versions=[],
    )


@designer.route("/designer/deployments/<int:request_id>/<process_id>.bpmn")
@login_required
def request_diagram(request_id: int, process_id: str):
    return _diagram(deployment_review.proposed(current_user, request_id, process_id).bpmn_xml)


@designer.route("/designer/<process_id>/diff")
@login_required
def version_diff(process_id: str):
    """What changed between two versions (``a`` and ``b``, by default the last two)."""
    versions = designer_service.versions(current_user).get(process_id) or []
    latest = versions[0].version if versions else 0  # newest first
    a = whole_number("a") or max(latest - 1, 1)
    b = whole_number("b") or latest
    return render_template(
        "designer/diff.html",
        d=version_diff_service.diff(current_user, process_id, a, b),
        versions=[v.version for v in versions],
    )


@designer.route("/designer/<process_id>/v<int:version>/diagram.bpmn")
@login_required
def version_diagram(process_id: str, version: int):
    return _diagram(version_diff_service.diagram(current_user, process_id, version))


def _diagram(xml: str) -> Response:
    xml = diagram_labels.for_reader(xml)
    return Response(xml, mimetype="application/xml")  # data only: app.web.security_headers
