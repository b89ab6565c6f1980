"""Users: creating one (the administrator's page and ``flask users create`` alike), log-in, a user's own
password, and API tokens. The administrator's other changes are in ``user_admin``."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import ROLE_GROUPS, ROLES, ApiToken, User, UserGroup
from app.models.base import utcnow
from app.services.admin import membership, passwords
from app.services.audit import audit
from app.services.shared.unit_of_work import unit_of_work

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]{0,63}")
BRANCH = re.compile(r"[a-z0-9_]{1,64}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_NAME = 100
MAX_USERNAME = 64
LOGGED_NAME = 64  # what the audit keeps of a user name typed at log-in (anyone may type one)
MAX_LEVEL = 9
MAX_TEAM = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_admin(actor: User | None) -> None:
    """Only an administrator changes users (``None``: the system, from the command line at installation)."""
    if actor is not None and actor.role != membership.ADMIN_ROLE:
        raise NotAuthorized(_("Only an administrator may manage users."))


def profile_errors(
    *,
    display_name: str | None = None,
    email: str | None = None,
    branch: str | None = None,
    authority_level: int | None = None,
    role: str | None = None,
    team: str | None = None,
) -> dict[str, str]:
    """Per-field messages for the profile values given (each already trimmed; None: not being set)."""
    errors: dict[str, str] = {}
    if display_name is not None:
        if not display_name or len(display_name) > MAX_NAME or _CONTROL.search(display_name):
            errors["display_name"] = _(
                "a name of 1 to %(count)s characters, without control characters", count=MAX_NAME
            )
    if email and (len(email) > 254 or not EMAIL.fullmatch(email) or _CONTROL.search(email)):
        errors["email"] = _("an e-mail address such as name@bank.cn")
    if branch is not None and not BRANCH.fullmatch(branch):
        errors["branch"] = _("a branch code: lower-case letters, digits and '_' (such as shanghai)")
    if team and (len(team) > MAX_TEAM or _CONTROL.search(team)):
        errors["team"] = _(
            "a team name of at most %(count)s characters (such as Corporate Team 1), or empty", count=MAX_TEAM
        )
    if authority_level is not None and not 1 <= authority_level <= MAX_LEVEL:
        errors["authority_level"] = _("between 1 and %(max)s", max=MAX_LEVEL)
    if role == "approver" and authority_level is None:
        errors["authority_level"] = _("an approver needs an authority level")
    return errors


def group_errors(role: str, groups: tuple[str, ...]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = _("one of %(keys)s", keys=", ".join(ROLES))
    unknown = sorted(set(groups) - set(membership.known_groups()))
    if unknown:
        errors["groups"] = _(
            "unknown group(s) %(groups)s; one of %(known)s",
            groups=", ".join(unknown),
            known=", ".join(membership.known_groups()),
        )
    return errors


def create_user(
    username: str,
    role: str,
    password: str | None = None,
    *,
    display_name: str | None = None,
    authority_level: int | None = None,
    branch: str = "head_office",
    groups: tuple[str, ...] = (),
    email: str | None = None,
    actor: User | None = None,
    must_change_password: bool = False,
    team: str | None = None,
) -> tuple[User, str]:
    """Create a user in the groups of ``role`` and ``groups`` (e.g. committee); return it and its password
    (generated when not given). ``must_change_password``: the user chooses their own at the first log-in."""
    check_admin(actor)
    username = (username or "").strip()
    display_name = (display_name or "").strip() or username
    email = (email or "").strip() or None
    team = (team or "").strip() or None
    errors = profile_errors(
        display_name=display_name,
        email=email,
        branch=branch,
        authority_level=authority_level,
        role=role,
        team=team,
    )
    errors.update(group_errors(role, groups))
    if not USERNAME.fullmatch(username):
        errors["username"] = _("1 to 64 letters, digits, '.' and '_', starting with a letter or digit")
    elif db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = _("%(name)s is taken", name=username)
    if password is not None and (problem := passwords.problem(password, username)):
        errors["password"] = problem
    if errors:
        raise InvalidInput(_("The user was not created."), errors)
    password = password or passwords.generate(username)
    user = User(
        username=username,
        display_name=display_name,
        role=role,
        authority_level=authority_level,
        branch=branch,
        team=team,
        email=email,
        password_hash=passwords.hashed(password),
        active=True,
        must_change_password=must_change_password,
    )
    user.groups = [UserGroup(group_code=g) for g in dict.fromkeys([ROLE_GROUPS[role], *groups])]
    db.session.add(user)
    membership.commit_change(actor, user, "user.created", was=None, before=None, after=profile(user))
    return user, password


def profile(user: User) -> dict:
    """What the audit keeps of a user before and after a change (never the password)."""
    return {
        "display_name": user.display_name,
        "role": user.role,
        "groups": sorted(user.group_codes),
        "authority_level": user.authority_level,
        "branch": user.branch,
        "team": user.team,
        "email": user.email,
        "active": bool(user.active),
    }


def authenticate(username: str, password: str) -> User:
    """Check a log-in; every attempt, good or bad, is audited.

    Known and unknown names take the same time (an unknown name is checked against a dummy hash), so the
    answer's speed does not tell which names exist. A field longer than any real one is refused (422) before
    anything is looked up; what the audit keeps of the name typed is cut at ``LOGGED_NAME`` characters."""
    too_long = {
        field: _("at most %(count)s characters", count=limit)
        for field, value, limit in (
            ("username", username, MAX_USERNAME),
            ("password", password, passwords.MAX_LENGTH),
        )
        if len(value or "") > limit
    }
    user = None
    if not too_long and USERNAME.fullmatch(username or ""):
        user = db.session.scalar(select(User).where(User.username == username))
    matches = check_password_hash(user.password_hash if user else passwords.dummy_hash(), password or "")
    if user is None or not user.active or not matches:
        with unit_of_work():
            audit.record("auth.login_failed", None, username=_as_logged(username))
        if too_long:
            raise InvalidInput(_("Wrong user name or password."), too_long)
        raise NotAuthorized("wrong user name or password")
    with unit_of_work():
        audit.record("auth.login", user)
    return user


def _as_logged(username: str | None) -> str:
    """What the audit keeps of a name anyone typed: its first ``LOGGED_NAME`` characters, a control character
    (NUL, which PostgreSQL's JSON refuses, a newline that would fake a line) shown as U+FFFD."""
    return "".join("\ufffd" if _CONTROL.match(ch) else ch for ch in (username or "")[:LOGGED_NAME])


def end_sessions(user: User) -> None:
    """Every browser session of ``user`` ends at its next request (the caller commits)."""
    user.session_epoch = (user.session_epoch or 0) + 1


def log_out(user: User) -> None:
    """The user logs out: their sessions end on the server, not only in this browser; audited."""
    with unit_of_work():
        end_sessions(user)
        audit.record("auth.logout", user)


def change_own_password(user: User, current: str, new: str, repeated: str) -> None:
    """A user replaces their password (the one the administrator set, or their own); audited."""
    errors: dict[str, str] = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current"] = _("not your current password")
    problem = passwords.problem(new, user.username)
    if problem:
        errors["new"] = problem
    elif new == current:
        errors["new"] = _("must differ from the current password")
    elif new != repeated:
        errors["repeated"] = _("the two new passwords differ")
    if errors:
        raise InvalidInput(_("The password was not changed."), errors)
    with unit_of_work():
        before = user.must_change_password
        user.password_hash, user.must_change_password = passwords.hashed(new), False
        end_sessions(user)  # a session opened with the old password ends; the caller signs this one in again
        audit.record(
            "user.password_changed",
            user,
            target=user.username,
            before={"must_change_password": before},
            after={"must_change_password": False},
        )


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def signed_in_user(session_id: str) -> User | None:
    """The user a session belongs to (``"<id>:<epoch>"``, from ``User.get_id``), while active and while the
    session's epoch is the user's: a deactivated user's sessions, and sessions from before a log-out or a
    password change, end at once. A cookie in an older shape opens nothing."""
    user_id, _sep, epoch = (session_id or "").partition(":")
    if not (user_id.isdigit() and epoch.isdigit()) or len(user_id) > 10:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or (user.session_epoch or 0) != int(epoch):
        return None
    return user


def get_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("No user %(name)s.", name=username))
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str) -> str:
    """A new bearer token for ``username`` (only its hash is stored)."""
    user = get_by_username(username)
    token = secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    with unit_of_work():
        db.session.add(
            ApiToken(
                user_id=user.id, token_hash=_token_hash(token), expires_at=utcnow() + timedelta(days=days)
            )
        )
        audit.record("auth.token_issued", user)
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or row.expires_at < utcnow() or not row.user.active:
        return None
    return row.user


def branches() -> list[str]:
    """The branches people work at, for filters."""
    return list(db.session.scalars(select(User.branch).distinct().order_by(User.branch)))


def teams() -> list[str]:
    """The teams people work in, for the forms."""
    return list(
        db.session.scalars(select(User.team).where(User.team.is_not(None)).distinct().order_by(User.team))
    )


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)))
