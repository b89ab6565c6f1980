"""Attached documents (资料): the upload forms reached from the customer and case pages, a document's page with
its preview, the download, and the (soft) delete with its reason.

Files are sent with the type detected from their bytes when they were attached, never the client's, and
``X-Content-Type-Options: nosniff``: a download always as an attachment; a preview (PDF and images only)
inline, framed only by this application's own pages (``frame-ancestors 'self'``) and under a policy that lets
it load nothing and puts it in a sandbox of its own origin, no script (``sandbox``): a file that is also HTML (a
PDF/HTML polyglot), should a browser ever render it as a page, reaches nothing of the application. Chromium's
built-in PDF viewer shows a PDF under that sandbox (``tests/browser/test_documents_browser.py`` checks it).
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.extensions import talisman
from app.services.attachments import attachments, checklist, pages, sniff
from app.services.attachments.attachments import Upload
from app.web.input_guard import lines_allowed
from app.web.security_headers import DATA_ONLY_POLICY, POLICY

attachment_pages = Blueprint("attachments", __name__)
attachment_pages.add_app_template_global(attachments.kind_title, "document_kind")  # 身份与资质证明, 合同…
attachment_pages.add_app_template_global(attachments.size_text, "file_size")
attachment_pages.add_app_template_global(sniff.label_of, "file_label")  # PDF, PNG, Word (DOCX)…
attachment_pages.add_app_template_global(checklist.title_of, "checklist_title")
# The document's page frames its own PDF preview; every other page frames nothing (POLICY's frame-src).
FRAMES_OWN_PREVIEW = {**POLICY, "frame-src": "'self'"}
# What a preview may do once open, alone or in the frame above: load nothing, run nothing, be framed only by our
# pages, in an origin of its own.
PREVIEW_POLICY = {
    "sandbox": "",
    "default-src": "'none'",
    "img-src": "'self'",
    "style-src": "'unsafe-inline'",
    "object-src": "'self'",
    "frame-ancestors": "'self'",
    "form-action": "'none'",
    "base-uri": "'none'",
}


def uploaded() -> Upload | None:
    """The request's ``file`` as the service reads it (None when none was sent)."""
    file = request.files.get("file")
    return Upload(file.filename or "", file.mimetype, file.stream) if file is not None else None


def _form(form: pages.UploadForm, entered, errors):
    return render_template(
        "attachments/upload.html", form=form, entered=entered, errors=errors
    ), 422 if errors else 200


@attachment_pages.route("/customers/<int:customer_id>/documents/new", methods=["GET", "POST"])
@lines_allowed("note")
@login_required
def attach_to_customer(customer_id: int):
    """Attach a document to the customer (its officer, a risk manager, compliance)."""
    if request.method == "POST":
        try:
            attachment = attachments.attach_to_customer(current_user, customer_id, uploaded(), request.form)
        except InvalidInput as exc:
            return _form(pages.customer_form(current_user, customer_id), request.form, exc.errors)
        flash(_("Document %(title)s attached.", title=attachment.title))
        return redirect(url_for("customers.show", customer_id=customer_id, _anchor="documents"))
    return _form(pages.customer_form(current_user, customer_id), {}, {})


@attachment_pages.route("/cases/<int:case_id>/documents/new", methods=["GET", "POST"])
@lines_allowed("note")
@login_required
def attach_to_case(case_id: int):
    """Attach a document to the case, one of its warnings (``warning_id``) or one of its compliance checklist's
    items (``checklist_item``); reached from a task's page (``task_id``), back to it."""
    if request.method == "POST":
        try:
            attachment = attachments.attach_to_case(current_user, case_id, uploaded(), request.form)
        except InvalidInput as exc:
            return _form(pages.case_form(current_user, case_id), request.form, exc.errors)
        flash(_("Document %(title)s attached.", title=attachment.title))
        back = request.form.get("task_id", "")
        if back.isascii() and back.isdigit() and len(back) < 10:  # attached from a task's page: back to it
            return redirect(url_for("tasks.show", task_id=int(back), _anchor="task-documents"))
        return redirect(url_for("cases.show", case_id=case_id, _anchor="attachments"))
    return _form(pages.case_form(current_user, case_id), request.args, {})


@attachment_pages.route("/documents/<int:attachment_id>")
@talisman(content_security_policy=FRAMES_OWN_PREVIEW)
@login_required
def show(attachment_id: int):
    """A document: what it is and what about, its preview (PDF, images), download and delete."""
    return render_template(
        "attachments/show.html",
        page=pages.document_page(current_user, attachment_id),
        kinds=attachments.KINDS,
        errors={},
        entered={},
    )


def file_response(attachment, data: bytes, *, inline: bool) -> Response:
    """The bytes with the detected type, never sniffed; as an attachment unless ``inline`` (a preview)."""
    response = send_file(
        io.BytesIO(data),
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.file_name,
        conditional=False,
        etag=False,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Content-SHA256"] = attachment.sha256
    return response


@attachment_pages.route("/documents/<int:attachment_id>/download")
@talisman(
    content_security_policy=DATA_ONLY_POLICY
)  # should a browser ever render it: no script, nothing loaded
@login_required
def download(attachment_id: int):
    """The file, as an attachment, with the type detected from its bytes."""
    attachment, data = attachments.content(current_user, attachment_id)
    return file_response(attachment, data, inline=False)


@attachment_pages.route("/documents/<int:attachment_id>/preview")
@talisman(content_security_policy=PREVIEW_POLICY, frame_options="SAMEORIGIN")
@login_required
def preview(attachment_id: int):
    """A PDF or an image, inline, for the document's page to show; any other kind has no preview (404)."""
    attachment, data = attachments.content(current_user, attachment_id, inline=True)
    return file_response(attachment, data, inline=True)


@attachment_pages.route("/documents/<int:attachment_id>/delete", methods=["POST"])
@lines_allowed("reason")
@login_required
def delete(attachment_id: int):
    """Delete the document with a reason (whoever attached it, or a risk manager): kept for compliance."""
    try:
        attachment = attachments.delete(current_user, attachment_id, request.form)
    except InvalidInput as exc:
        return render_template(
            "attachments/show.html",
            page=pages.document_page(current_user, attachment_id),
            kinds=attachments.KINDS,
            errors=exc.errors,
            entered=request.form,
        ), 422
    flash(_("Document %(title)s deleted.", title=attachment.title))
    if attachment.instance_id is not None:
        return redirect(url_for("cases.show", case_id=attachment.instance_id, _anchor="attachments"))
    return redirect(url_for("customers.show", customer_id=attachment.customer_id, _anchor="documents"))
