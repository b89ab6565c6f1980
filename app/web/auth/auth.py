"""Log in, log out, choose the language."""

from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.errors import InvalidInput, NotAuthorized
from app.language import LOCALE_COOKIE, LOCALE_COOKIE_DAYS
from app.services.admin import users
from app.web.auth.login_limits import limited
from app.web.auth.sessions import start as start_session

auth = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only same-site paths are followed after log-in (no open redirect)."""
    if target and urlparse(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("tasks.my_tasks")


@auth.route("/login", methods=["GET", "POST"])
@limited
def login():
    """Show the log-in form; on success go where the user was heading."""
    error, errors = None, {}
    if request.method == "POST":
        try:
            user = users.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        except NotAuthorized:
            error = _("Wrong user name or password.")
        except InvalidInput as exc:
            error, errors = exc.message, exc.errors
        else:
            _sign_in(user)
            return redirect(safe_next(request.args.get("next")))
    status = 422 if errors else 401 if error else 200
    return render_template("login.html", error=error, errors=errors), status


def _sign_in(user) -> None:
    """A new session for ``user``: nothing of the session before is kept (no session fixation)."""
    session.clear()
    login_user(user)
    start_session()


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    """End the user's sessions on the server (a copied cookie opens nothing after) and in this browser."""
    users.log_out(current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."))
    return redirect(url_for("auth.login"))


@auth.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """A user chooses their own password (at once, after the administrator set one)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            users.change_own_password(
                current_user,
                request.form.get("current", ""),
                request.form.get("new", ""),
                request.form.get("repeated", ""),
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            _sign_in(current_user._get_current_object())  # the change ended every session; keep this one
            flash(_("Your password is changed."))
            return redirect(url_for("tasks.my_tasks"))
    return render_template("account_password.html", errors=errors), 422 if errors else 200


@auth.route("/locale/<code>", methods=["POST"])
def set_locale(code: str):
    """Switch the interface language (zh_CN or en) and return to the page."""
    response = redirect(safe_next(request.form.get("next")))
    if code in current_app.config["LANGUAGES"]:
        # A cookie of its own, not the session: the choice outlives logging out and the browser's session.
        response.set_cookie(
            LOCALE_COOKIE,
            code,
            max_age=LOCALE_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@auth.route("/")
def index():
    return redirect(url_for("tasks.my_tasks"))
