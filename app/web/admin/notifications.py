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
    """Mark it read and go to its task (the task page says if it has moved on) or its case."""
    note = inbox.mark_read(current_user, notification_id)
    if note.task_id:
        return redirect(url_for("tasks.show", task_id=note.task_id))
    if note.instance_id:
        return redirect(url_for("cases.show", case_id=note.instance_id))
    if note.kind == "follow_up" and (note.params or {}).get("customer_id"):
        return redirect(
            url_for("customers.show", customer_id=note.params["customer_id"], _anchor="contact-log")
        )
    if note.kind in ("transfer_in", "transfer_out"):
        return redirect(messages.customers_link(note))
    if note.kind.startswith("training_"):  # a required course expiring or lapsed: the person's own record
        return redirect(url_for("training.index", _anchor="required"))
    return redirect(url_for("audit.search"))


@notifications.route("/notifications/read", methods=["POST"])
@login_required
def read_all():
    inbox.mark_all_read(current_user)
    return redirect(url_for("notifications.index"))
