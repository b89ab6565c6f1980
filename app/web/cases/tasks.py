"""My tasks, the sign-off inbox, and the task page with its form."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Conflict, InvalidInput
from app.risk.master_scale import GRADES
from app.services.admin import membership, users
from app.services.cases import delegation, recusal
from app.services.cases import tasks as task_service
from app.services.cases.inbox_filters import ARG_NAMES, DUE_STATES, SORTS, InboxFilter
from app.services.cases.intake_pick import QUERY_FIELD
from app.services.cases.task_page import task_page
from app.services.customers.contacts import follow_ups
from app.web.args import form_number, page_number, whole_number
from app.web.auth.auth import safe_next
from app.web.display import in_language
from app.web.input_guard import SCHEMA, lines_allowed

tasks = Blueprint("tasks", __name__)
SEGMENTS = ("large_corporate", "mid_corporate", "sme", "micro")


def _page() -> int:
    return page_number()


@tasks.route("/tasks")
@login_required
def my_tasks():
    """Tasks assigned to me and my groups' unclaimed queue, and the contact log's follow-ups due."""
    listing = task_service.my_tasks(current_user, page=_page())
    return render_template(
        "tasks/list.html",
        listing=listing,
        page=_page(),
        title=_("My tasks"),
        follow_ups=follow_ups.due_for(current_user),
    )


@tasks.route("/inbox")
@login_required
def inbox():
    """The approver's sign-off inbox: approvals within my authority, not on cases I investigated,
    filtered and sorted as asked; "Open next" opens the first of them."""
    errors: dict[str, str] = {}
    try:
        filters = InboxFilter.from_args(request.args)
    except InvalidInput as exc:  # the list keeps every filter that could be read
        errors = exc.errors
        filters = InboxFilter.from_args({k: v for k, v in request.args.items() if k not in errors})
    listing = task_service.sign_off_inbox(current_user, page=_page(), filters=filters)
    return render_template(
        "tasks/inbox.html",
        listing=listing,
        page=_page(),
        filters=filters,
        errors=errors,
        grades=GRADES,
        segments=SEGMENTS,
        sorts=SORTS,
        due_states=DUE_STATES,
        branches=users.branches(),
        powers=membership.powers_of(current_user),
    ), 422 if errors else 200


@tasks.route("/tasks/<int:task_id>", methods=["GET", "POST"])
@lines_allowed(SCHEMA)
@login_required
def show(task_id: int):
    """The task's form; a POST validates it and runs the process on."""
    if request.method == "POST":
        try:
            task = task_service.complete(
                current_user,
                task_id,
                post=request.form,
                expected_version=form_number("_version"),
                locale=str(get_locale()),
            )
        except InvalidInput as exc:
            page = task_page(current_user, task_id)
            return render_template(
                "tasks/form.html",
                **page.names(),
                data={**page.view.data, **(exc.details.get("data") or {})},
                errors=exc.errors,
                queue=_queue(request.form.get("_queue")),
            ), 422
        except (
            Conflict
        ) as exc:  # opened again meanwhile: the new task, with what they entered, to check and send
            if not exc.details.get("task_id"):
                raise
            flash(exc.message)
            page = task_page(current_user, exc.details["task_id"])
            entered = {k: v for k, v in request.form.items() if not k.startswith("_") and k != "csrf_token"}
            return render_template(
                "tasks/form.html",
                **page.names(),
                data={**page.view.data, **entered},
                errors={},
                queue=_queue(request.form.get("_queue")),
            ), 409
        flash(_("“%(task)s” completed.", task=in_language(task.name, get_locale())))
        queue = _queue(request.form.get("_queue"))
        if queue is not None:
            return _next_in_queue(queue)
        return redirect(url_for("cases.show", case_id=task.instance_id))
    try:  # the intake's picker: the customers searched for, and the one picked (its fields filled in)
        page = task_page(
            current_user,
            task_id,
            customer_query=request.args.get(QUERY_FIELD) or None,
            customer_id=whole_number("customer"),
        )
    except Conflict as exc:
        if not exc.details.get("task_id"):
            raise
        flash(exc.message)
        return redirect(url_for("tasks.show", task_id=exc.details["task_id"]))
    return render_template(
        "tasks/form.html",
        **page.names(),
        data=page.view.data,
        errors={},
        queue=_queue(request.args.get("queue")),
    )


@tasks.route("/tasks/<int:task_id>/customers")
@login_required
def customer_matches(task_id: int):
    """The intake's customer search as the officer types (htmx): the bank's customers whose name or credit code
    holds ``customer_q``, each offered to fill the form."""
    query = request.args.get(QUERY_FIELD) or None
    return render_template(
        "tasks/_customer_matches.html",
        task_id=task_id,
        query=query,
        matches=task_service.customer_matches(current_user, task_id, query),
    )


@tasks.route("/tasks/<int:task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: int):
    task_service.claim(current_user, task_id)
    flash(_("Task claimed: it is now yours alone."))
    return redirect(
        safe_next(request.form.get("next"))
        if request.form.get("next")
        else url_for("tasks.show", task_id=task_id)
    )


@tasks.route("/tasks/<int:task_id>/unclaim", methods=["POST"])
@login_required
def unclaim(task_id: int):
    task_service.unclaim(current_user, task_id)
    flash(_("Task returned to the group queue."))
    return redirect(url_for("tasks.my_tasks"))


@tasks.route("/tasks/<int:task_id>/delegate", methods=["POST"])
@login_required
def delegate(task_id: int):
    """The holder hands the task to a colleague; a manager (with ``reassign``) moves anyone's."""
    to = request.form.get("to", "")
    if request.form.get("reassign"):
        task = delegation.reassign(current_user, task_id, to)
        flash(_("Task reassigned to %(user)s.", user=task.assignee.display_name))
    else:
        task = delegation.delegate(current_user, task_id, to)
        flash(_("Task delegated to %(user)s.", user=task.assignee.display_name))
    return redirect(url_for("tasks.my_tasks"))


def _queue(raw: str | None) -> str | None:
    """The sign-off queue a task was opened from (the inbox's query string), keeping only the inbox's own
    filter names: anything else (``_method``, ``_external``, an unknown name) is dropped, so a crafted value
    can neither steer ``url_for`` nor fail the redirect after a sign-off that has already committed."""
    if raw is None:
        return None
    pairs = parse_qsl(raw)
    kept = [(k, v) for k, v in pairs if k in ARG_NAMES]
    return raw if len(kept) == len(pairs) else urlencode(kept)


@tasks.route("/tasks/<int:task_id>/excuse", methods=["POST"])
@login_required
def excuse(task_id: int):
    """The administrator excuses the vote of a member who may no longer vote on the case (回避)."""
    task = recusal.excuse(current_user, task_id)
    flash(
        _(
            "The vote of %(user)s was excused; the committee decides with the members who may vote.",
            user=task.assignee.display_name if task.assignee else "-",
        )
    )
    return redirect(url_for("cases.show", case_id=task.instance_id))


def _next_in_queue(queue: str):
    """After a sign-off opened from the inbox: the next task of the same filtered queue, or the inbox."""
    args: dict[str, Any] = dict(parse_qsl(queue))  # the inbox's filter names only: ``_queue`` kept no other
    try:
        filters = InboxFilter.from_args(args)
    except InvalidInput:
        filters = InboxFilter()
    following = task_service.next_in_queue(current_user, filters)
    if following is None:
        flash(_("Nothing more is waiting in this queue."))
        return redirect(url_for("tasks.inbox", **args))
    return redirect(url_for("tasks.show", task_id=following.id, queue=queue))
