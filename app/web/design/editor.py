"""The designer's editors: BPMN in bpmn-js, DMN in dmn-js, forms as JSON Schema with a live preview, and
tests files as JSON. Each save is a draft and asks for the check of the working copy, which a worker runs
(``draft_checks``): the answer carries the check as it stands, and the editor asks for it again until it is
done, then shows its problems on the diagram element each concerns."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import DomainError
from app.forms import FormSchema, check_form_schema
from app.services.design.workspace import draft_checks, drafts, workspace
from app.services.design.workspace.designer import check_designer
from app.web.args import form_number
from app.web.input_guard import lines_allowed
from app.web.security_headers import modeler_page

editor = Blueprint("editor", __name__)


@editor.route("/designer/files")
@login_required
def files():
    return render_template("designer/files.html", files=workspace.listing(current_user))


@editor.route("/designer/files/new", methods=["POST"])
@login_required
def new_file():
    """Open the editor on a new file (nothing is stored until its first save)."""
    kind = request.form.get("kind", "")
    name = drafts.new_name(current_user, kind, request.form.get("name") or "")
    return redirect(url_for("editor.edit", kind=kind, name=name))


@editor.route("/designer/edit/<kind>/<name>")
@modeler_page
@login_required
def edit(kind: str, name: str):
    view = workspace.opened(current_user, kind, name)
    check = draft_checks.request(current_user, kind, name) if view.text is not None else None
    return render_template(
        f"designer/edit_{view.file.editor}.html",
        view=view,
        file=view.file,
        check=check,
        save_url=url_for("editor.save", kind=kind, name=name),
    )


@editor.route("/designer/edit/<kind>/<name>", methods=["POST"])
@login_required
def save(kind: str, name: str):
    """Save a draft: JSON ``{"content": text, "revision": n}`` → the new revision and the check of the
    working copy (``check``: its state, and its problems and tests once done; ``check.url`` to ask again);
    409 if someone saved since revision ``n``."""
    body = request.get_json(silent=True)
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("content"), str)
        or not isinstance(body.get("revision"), int)
        or not isinstance(body.get("base", ""), str)
    ):
        return jsonify(error=_("Send the file as JSON: content (text) and revision (a number).")), 400
    try:
        draft = drafts.save(current_user, kind, name, body["content"], body["revision"], body.get("base"))
    except DomainError as exc:
        return jsonify(error=exc.message, errors=getattr(exc, "errors", {})), exc.status
    check = draft_checks.request(current_user, kind, name)
    return jsonify(
        revision=draft.revision,
        saved_by=draft.updated_by.display_name,
        stale=drafts.is_stale(draft),
        check=_described(check),
    )


@editor.route("/designer/checks/<int:check_id>")
@login_required
def check_status(check_id: int):
    """A check as it stands (JSON, as in a save's answer): the editor asks until it is done."""
    return jsonify(_described(draft_checks.status(current_user, check_id)))


def _described(check) -> dict:
    return {**draft_checks.described(check), "url": url_for("editor.check_status", check_id=check.id)}


@editor.route("/designer/edit/<kind>/<name>/discard", methods=["POST"])
@login_required
def discard(kind: str, name: str):
    drafts.discard(current_user, kind, name, form_number("revision", 0))
    return render_template(
        "designer/files.html",
        files=workspace.listing(current_user),
        message=_("The draft of %(name)s was discarded.", name=name),
    )


@editor.route("/designer/forms/preview", methods=["POST"])
@lines_allowed("content")
@login_required
def form_preview():
    """The screen a form schema makes, as the task page renders it (htmx swaps it in as the designer types)."""
    check_designer(current_user)
    text = request.form.get("content", "")
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return render_template(
            "designer/_form_preview.html",
            problems=[
                _(
                    "Not valid JSON at line %(line)s, column %(column)s: %(reason)s",
                    line=exc.lineno,
                    column=exc.colno,
                    reason=exc.msg,
                )
            ],
        ), 200
    except RecursionError:
        return render_template("designer/_form_preview.html", problems=[_("The JSON is nested too deeply.")])
    problems = check_form_schema(schema) if isinstance(schema, dict) else [_("A form is a JSON object.")]
    if problems:
        return render_template("designer/_form_preview.html", problems=problems)
    return render_template(
        "designer/_form_preview.html", form=FormSchema(request.form.get("name", "form"), schema), problems=[]
    )
