"""Failed log-ins are limited per user name and per client address (Flask-Limiter).

Only failures count (a 4xx answer to ``POST /login``): people who type their password right are never held
up. Past a limit every attempt, the right password too, is answered 429 naming when to try again, until the
window has moved on. The limits (``LOGIN_LIMIT_ACCOUNT``, ``LOGIN_LIMIT_ADDRESS``) and where the counts are
kept (``RATELIMIT_STORAGE_URI``: memory in development and tests, Redis in production, shared by every web
process) are set in ``config.py``.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address

from app.extensions import limiter
from app.services.admin.users import LOGGED_NAME


def _failed(response) -> bool:
    return response.status_code >= 400


def _account() -> str:
    """The user name tried, as the limit counts it (trimmed, lower case, cut: a huge name is one key)."""
    name = request.form.get("username", "").strip().lower()[:LOGGED_NAME]
    return f"account:{name}" if name else ""


def limited(view):
    """Decorate the log-in view with both limits."""
    view = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"],
        key_func=_account,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-account",
    )(view)
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_ADDRESS"],
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_failed,
        scope="login-address",
    )(view)


def retry_after_seconds() -> int:
    """Seconds until the limit that refused this request lets one attempt through again."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))  # as Flask-Limiter's own Retry-After counts


def register_limits(app: Flask) -> None:
    """The 429 answer: the log-in page (or JSON under /api/) naming when to retry, with ``Retry-After``."""

    @app.errorhandler(429)
    def too_many(_exc):
        seconds = retry_after_seconds()
        message = _(
            "Too many failed log-ins for this user name or from this address. "
            "Try again in %(seconds)s seconds.",
            seconds=seconds,
        )
        if request.path.startswith("/api/"):
            response = jsonify(error=message, retry_after=seconds)
        else:
            response = app.make_response((render_template("login.html", error=message, errors={}), 429))
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
        return response
