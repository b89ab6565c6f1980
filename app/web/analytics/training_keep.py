"""Keeping training (administrators and risk managers): the course catalogue, sessions with their attendance
and results, and case-library entries assigned as reading. Every refused input is shown on its field (422)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import InvalidInput
from app.services.people.training import attendance, catalog, rights
from app.services.people.training import readings as reading_service

training_keep = Blueprint("training_keep", __name__)


def _form(template: str, errors: dict[str, str], **context):
    return render_template(template, errors=errors, entered=request.form, **context), 422 if errors else 200


@training_keep.route("/analytics/training/courses")
@login_required
def courses():
    """The catalogue and the latest sessions."""
    rights.check_keeper(current_user)
    return render_template(
        "analytics/training_courses.html",
        courses=catalog.listing(),
        sessions=attendance.sessions(),
        topics=catalog.TOPICS,
    )


@training_keep.route("/analytics/training/courses/new", methods=["GET", "POST"])
@login_required
def new_course():
    """A new course."""
    rights.check_keeper(current_user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            course = catalog.create(current_user, request.form)
            flash(_("Course %(code)s saved.", code=course.code))
            return redirect(url_for("training_keep.courses"))
        except InvalidInput as exc:
            errors = exc.errors
    return _form("analytics/training_course.html", errors, course=None, topics=catalog.TOPICS)


@training_keep.route("/analytics/training/courses/<int:course_id>", methods=["GET", "POST"])
@login_required
def edit_course(course_id: int):
    """Change a course."""
    rights.check_keeper(current_user)
    course = catalog.get(course_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            catalog.update(current_user, course_id, request.form)
            flash(_("Course %(code)s saved.", code=course.code))
            return redirect(url_for("training_keep.courses"))
        except InvalidInput as exc:
            errors = exc.errors
    return _form("analytics/training_course.html", errors, course=course, topics=catalog.TOPICS)


@training_keep.route("/analytics/training/sessions/new", methods=["GET", "POST"])
@login_required
def new_session():
    """A session of a course."""
    rights.check_keeper(current_user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            session = attendance.create_session(current_user, request.form)
            return redirect(url_for("training_keep.session", session_id=session.id))
        except InvalidInput as exc:
            errors = exc.errors
    return _form("analytics/training_session_new.html", errors, courses=catalog.listing(active_only=True))


@training_keep.route("/analytics/training/sessions/<int:session_id>", methods=["GET", "POST"])
@login_required
def session(session_id: int):
    """A session's attendance table: each member of staff with their result and score."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            count = attendance.record_results(current_user, session_id, request.form)
            flash(_("%(count)s result(s) recorded.", count=count))
            return redirect(url_for("training_keep.session", session_id=session_id))
        except InvalidInput as exc:
            errors = exc.errors
    page = attendance.session_page(current_user, session_id)
    return _form("analytics/training_session.html", errors, page=page)


@training_keep.route("/analytics/training/readings/new", methods=["GET", "POST"])
@login_required
def assign_reading():
    """Assign a case-library entry to a member of staff."""
    rights.check_keeper(current_user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            reading_service.assign(current_user, request.form)
            flash(_("Reading assigned."))
            return redirect(url_for("training.index"))
        except InvalidInput as exc:
            errors = exc.errors
    staff = attendance.active_staff()
    return _form("analytics/training_reading.html", errors, staff=staff)
