"""Credit cases: the list, opening a new application, the case page."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.audit import documents as document_service
from app.services.cases import case_history, case_page, withdrawal
from app.services.cases import cases as case_service
from app.services.cases import tasks as task_service
from app.services.cases.case_kinds import kind_of
from app.services.design.deployment import diagram_labels
from app.services.design.impact import decision_tables
from app.web.args import form_number, language, page_number
from app.web.downloads import attachment
from app.web.input_guard import lines_allowed

cases = Blueprint("cases", __name__)
cases.add_app_template_global(kind_of, "case_kind")  # lists name each case's kind
cases.add_app_template_global(
    case_service.startable, "startable_kinds"
)  # the start menu: what the user may start
CREDIT_APPLICATION = "credit_application"


@cases.route("/cases")
@login_required
def index():
    """Every case, newest first, with search and status filter."""
    page = page_number()
    listing = case_service.list_cases(
        current_user,
        status=request.args.get("status") or None,
        search=request.args.get("q") or None,
        page=page,
    )
    return render_template("cases/list.html", listing=listing)


@cases.route("/cases/new", methods=["POST"])
@login_required
def new():
    """Open a case of the process chosen (a credit application unless another is named) and go straight to its
    first form; a process the user may not start is refused by the service (403 naming it)."""
    instance = case_service.start_case(current_user, request.form.get("process") or CREDIT_APPLICATION)
    first = task_service.first_open_task(current_user, instance.id)
    if first is None:
        return redirect(url_for("cases.show", case_id=instance.id))
    return redirect(url_for("tasks.show", task_id=first.id))


@cases.route("/cases/<int:case_id>")
@login_required
def show(case_id: int):
    """Customer, figures, ratios, rating, decisions and the timeline of one case."""
    return render_template("cases/show.html", **case_page.case_page(current_user, case_id).names())


@cases.route("/cases/<int:case_id>/withdraw", methods=["GET", "POST"])
@lines_allowed("reason")
@login_required
def withdraw(case_id: int):
    """Withdraw an application before it is decided: a page to confirm it with the reason, then the step."""
    if request.method == "POST":
        reason = request.form.get("reason", "")
        try:
            instance = withdrawal.withdraw(
                current_user, case_id, reason, expected_version=form_number("_version")
            )
        except InvalidInput as exc:
            return render_template(
                "cases/withdraw.html",
                instance=withdrawal.to_confirm(current_user, case_id),
                reason=reason,
                errors=exc.errors,
            ), 422
        flash(_("Application %(reference)s withdrawn.", reference=instance.reference))
        return redirect(url_for("cases.show", case_id=case_id))
    return render_template(
        "cases/withdraw.html", instance=withdrawal.to_confirm(current_user, case_id), reason="", errors={}
    )


@cases.route("/cases/<int:case_id>/memo")
@login_required
def memo(case_id: int):
    """The credit memo as one page: what the approver decides on, with the decisions explained and
    what earlier rounds said."""
    page = document_service.memo(current_user, case_id, str(get_locale()))
    return render_template(
        "cases/memo.html", memo=page, view=page.view, document_languages=document_service.LANGUAGES
    )


@cases.route("/cases/<int:case_id>/documents/<kind>.pdf")
@login_required
def document(case_id: int, kind: str):
    """The credit memo or approval certificate of the case as it stands (stored with the case)."""
    row = document_service.document(current_user, case_id, kind, language())
    return _pdf(row)


@cases.route("/cases/<int:case_id>/documents/kept/<int:document_id>.pdf")
@login_required
def kept_document(case_id: int, document_id: int):
    """A rendering kept from an earlier version of the case, exactly as it was."""
    return _pdf(document_service.stored(current_user, case_id, document_id))


def _pdf(row) -> Response:
    name = f"{row.instance_id}-{row.kind}-{row.language}-v{row.instance_version}.pdf"
    return Response(
        row.content,
        mimetype="application/pdf",
        headers={**attachment(name), "X-Content-SHA256": row.sha256},
    )


@cases.route("/cases/<int:case_id>/diagram.bpmn")
@login_required
def diagram(case_id: int):
    """The BPMN of the version this case runs on (the case page draws it with bpmn-js)."""
    xml = diagram_labels.for_reader(case_service.get_case(current_user, case_id).definition.bpmn_xml)
    return Response(xml, mimetype="application/xml")  # data only: app.web.security_headers


@cases.route("/cases/<int:case_id>/decisions/<int:log_id>")
@login_required
def decision(case_id: int, log_id: int):
    """One decision of the case against the table version that made it, the matched rows highlighted."""
    return render_template("cases/decision.html", d=decision_tables.detail(current_user, case_id, log_id))


@cases.route("/cases/<int:case_id>/history.<kind>")
@login_required
def history(case_id: int, kind: str):
    """The case's full history for auditors, as CSV or PDF."""
    if kind == "csv":
        return Response(
            case_history.history_csv(current_user, case_id, str(get_locale())),
            mimetype="text/csv",
            headers=attachment(f"case-{case_id}-history.csv"),
        )
    if kind == "pdf":
        return Response(
            case_history.history_pdf(current_user, case_id, language()),
            mimetype="application/pdf",
            headers=attachment(f"case-{case_id}-history.pdf"),
        )
    raise InvalidInput(_("Unknown export."), {"kind": _("csv or pdf")})
