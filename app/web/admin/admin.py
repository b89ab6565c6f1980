"""The administrator's settings: tier-1 capital, which the large-exposure limits are shares of; approvers'
qualifications at a glance; timers that failed; the outbox. Users are managed in ``user_admin``."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput, NotAuthorized
from app.localtime import local_today
from app.services.admin import settings
from app.services.approval import qualifications
from app.services.cases import timers
from app.services.notifications import mail
from app.web.args import page_number

admin = Blueprint("admin", __name__)


@admin.route("/admin/settings", methods=["GET", "POST"])
@login_required
def edit_settings():
    """Show the settings; a POST changes tier-1 capital (administrators only, audited)."""
    if current_user.role != "admin":
        raise NotAuthorized(_("Only an administrator may change settings."))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            settings.set_amount(
                current_user, settings.TIER1_CAPITAL, request.form.get(settings.TIER1_CAPITAL, "")
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            flash(_("Tier-1 capital saved."))
            return redirect(url_for("admin.edit_settings"))
    return _page(errors=errors, entered=request.form.get(settings.TIER1_CAPITAL))


def _page(errors=None, entered=None):
    return render_template(
        "admin/settings.html",
        capital=settings.amount(settings.TIER1_CAPITAL),
        field=settings.TIER1_CAPITAL,
        errors=errors or {},
        entered=entered,
        qualified=qualifications.listing(),
        today=local_today(),
        failed_timers=timers.failed(current_user),
    ), 422 if errors else 200


@admin.route("/admin/outbox")
@login_required
def outbox():
    """The e-mails notifications produced: what was sent, and (without SMTP) what would have been."""
    page = page_number()
    rows, total = mail.outbox(current_user, page=page)
    return render_template(
        "admin/outbox.html", rows=rows, total=total, page=page, smtp=current_app.config.get("MAIL_SERVER")
    )


@admin.route("/admin/timers/<int:timer_id>/retry", methods=["POST"])
@login_required
def retry_timer(timer_id: int):
    """Put a timer whose step failed back in the queue (administrators; audited)."""
    timers.retry(current_user, timer_id)
    flash(_("The timer will fire again at the next tick."))
    return redirect(url_for("admin.edit_settings"))
