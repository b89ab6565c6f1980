"""Users, roles, groups, log-in and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import ROLES, ApiToken, User, UserGroup
from app.models.base import utcnow
from app.services import audit, staffing

# The candidate groups (BPMN lane names) each role joins when created.
ROLE_GROUPS: dict[str, tuple[str, ...]] = {
    "officer": ("officer",),
    "approver": ("approver",),
    "risk_manager": ("risk_manager",),
    "compliance": ("compliance",),
    "designer": ("designer",),
    "admin": ("admin",),
}
# Groups a user joins besides their role's: the credit committee (贷审会) and the chief risk
# officer, who holds the committee's veto (the group named by rules/committee_rules.dmn).
EXTRA_GROUPS: tuple[str, ...] = ("committee", "cro")
MIN_PASSWORD = 8
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def all_groups() -> set[str]:
    return {g for gs in ROLE_GROUPS.values() for g in gs} | set(EXTRA_GROUPS)


def create_user(username: str, role: str, password: str | None = None, *, display_name: str | None = None,
                authority_level: int | None = None, branch: str = "head_office", groups: tuple[str, ...] = (),
                email: str | None = None, actor: User | None = None) -> tuple[User, str]:
    """Create a user with the groups of ``role`` (and ``groups``, e.g. committee); return it and its
    password (generated if not given)."""
    errors: dict[str, str] = {}
    unknown = sorted(set(groups) - all_groups())
    if unknown:
        errors["groups"] = f"unknown group(s) {', '.join(unknown)}; one of {', '.join(sorted(all_groups()))}"
    if role not in ROLES:
        errors["role"] = f"unknown role {role!r}; one of {', '.join(ROLES)}"
    if not username or not username.replace("_", "").replace(".", "").isalnum():
        errors["username"] = "letters, digits, '.' and '_' only"
    if password is not None and len(password) < MIN_PASSWORD:
        errors["password"] = f"at least {MIN_PASSWORD} characters"
    if role == "approver" and authority_level is None:
        errors["authority_level"] = "an approver needs an authority level (1-3)"
    if authority_level is not None and not 1 <= authority_level <= 9:
        errors["authority_level"] = "between 1 and 9"
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = f"{username!r} is taken"
    if email is not None and not EMAIL.fullmatch(email):
        errors["email"] = f"{email!r} is not an e-mail address"
    if errors:
        raise InvalidInput("the user cannot be created", errors)
    password = password or secrets.token_urlsafe(12)
    user = User(username=username, display_name=display_name or username, role=role,
                authority_level=authority_level, branch=branch, email=email,
                password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]))
    user.groups = [UserGroup(group_code=g) for g in dict.fromkeys([*ROLE_GROUPS[role], *groups])]
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor, target=username, role=role, authority_level=authority_level,
                 groups=sorted(user.group_codes))
    db.session.commit()
    staffing.recheck(actor)
    return user, password


def authenticate(username: str, password: str) -> User:
    """Check a log-in; every attempt, good or bad, is audited."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        audit.record("auth.login_failed", None, username=username)
        db.session.commit()
        raise NotAuthorized("wrong user name or password")
    audit.record("auth.login", user)
    db.session.commit()
    return user


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str) -> str:
    """A new bearer token for ``username`` (only its hash is stored)."""
    user = get_by_username(username)
    token = secrets.token_urlsafe(32)
    days = current_app.config["API_TOKEN_DAYS"]
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token),
                            expires_at=utcnow() + timedelta(days=days)))
    audit.record("auth.token_issued", user)
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or row.expires_at < utcnow() or not row.user.active:
        return None
    return row.user


def branches() -> list[str]:
    """The branches people work at, for filters."""
    return list(db.session.scalars(select(User.branch).distinct().order_by(User.branch)))


def set_email(admin: User, username: str, email: str) -> User:
    """Set (or clear, with an empty value) the address a user's notifications are e-mailed to; audited."""
    if admin.role != "admin":
        raise NotAuthorized(_("Only an administrator may change a user's e-mail address."))
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("No user %(name)s.", name=username))
    email = (email or "").strip() or None
    if email is not None and not EMAIL.fullmatch(email):
        raise InvalidInput(_("The e-mail address was not changed."), {"email": _("an e-mail address such as name@bank.cn")})
    before, user.email = user.email, email
    audit.record("user.updated", admin, target=username, before={"email": before}, after={"email": email})
    db.session.commit()
    return user


def active_users() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username)))
