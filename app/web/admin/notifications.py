"""The person's notifications: the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.services.notifications import inbox, messages
from app.web.args import page_number

notifications = Blueprint("notifications", __name__)


@notifications.route("/notifications")
@login_required
def index():
    page = page_number()
    rows, total = inbox.listing(current_user, page=page)
    return render_template(
        "notifications/list.html", rows=rows, total=total, page=page, message=messages.message
    )


@notifications.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int):
    """Mark it read and go where it leads (``messages.place``): its task, its case, or what it is about."""
    note = inbox.mark_read(current_user, notification_id)
    return redirect(messages.place(note))


@notifications.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    inbox.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
