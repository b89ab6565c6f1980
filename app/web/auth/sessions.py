"""How long a browser session lasts: an idle timeout and an absolute lifetime (a working day).

The session keeps when it was signed in and when it was last used (seconds since the epoch); a request past
either limit is served as a signed-out one (a page asks to log in again, naming why). The limits are
``SESSION_IDLE_MINUTES`` and ``SESSION_HOURS`` in ``config.py``. Sessions also end on the server at log-out,
password change and deactivation: see ``users.signed_in_user`` and ``User.session_epoch``.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, session
from flask_babel import gettext as _
from flask_login import logout_user

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# "Last used" moves on when a tenth of the idle timeout has passed, not at every request: the cookie is
# rewritten rarely, and a session ends between 0.9 and 1 times the timeout after its last request.
SEEN_RESOLUTION = 0.1


def start(now: float | None = None) -> None:
    """Mark a fresh log-in (called right after ``login_user``)."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = session[SEEN_AT] = int(now)
    session.permanent = True  # the cookie's own expiry is the lifetime, not "until the browser closes"


def _expired(now: float) -> str | None:
    """Why the session in this request is over (None: it is not)."""
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return _("Please log in again.")
    if now - seen_at > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        return _(
            "You were logged out after %(minutes)s minutes without activity.",
            minutes=current_app.config["SESSION_IDLE_MINUTES"],
        )
    if now - signed_in_at > current_app.config["SESSION_HOURS"] * 3600:
        return _(
            "You were logged out: a session lasts at most %(hours)s hours.",
            hours=current_app.config["SESSION_HOURS"],
        )
    return None


def register_sessions(app: Flask) -> None:
    @app.before_request
    def end_stale_session():
        """A signed-in session past its idle timeout or lifetime is ended before the view runs."""
        if "_user_id" not in session:
            return
        now = time.time()
        reason = _expired(now)
        if reason:
            logout_user()
            session.pop(SIGNED_IN_AT, None)
            session.pop(SEEN_AT, None)
            flash(reason)
        elif now - session[SEEN_AT] >= SEEN_RESOLUTION * current_app.config["SESSION_IDLE_MINUTES"] * 60:
            session[SEEN_AT] = int(now)
