"""The administrator's user management (设置 → 用户): find users, change a profile, a role and groups,
deactivate and reactivate (never delete: history keeps the name), reset a password.

Administrators only, checked here for every call. Each change is audited with before and after; changes
of who may act (role, groups, activation) go through ``membership.commit_change``, which refuses what
would leave a required group without an active member.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.models import (
    APPROVAL_COURSE,
    ROLE_GROUPS,
    ROLES,
    Course,
    HumanTask,
    TrainingCompletion,
    User,
    UserGroup,
)
from app.services.admin import membership, passwords, users
from app.services.admin.users import branches, check_admin, create_user, group_errors, profile_errors, teams
from app.services.approval import qualifications, staffing
from app.services.audit import audit
from app.services.cases import text_search
from app.services.shared.unit_of_work import unit_of_work

PER_PAGE = 50
STATUSES = ("active", "deactivated", "all")


@dataclass(frozen=True)
class UserFilter:
    q: str | None = None  # part of the user name or the name shown
    role: str | None = None
    group: str | None = None
    branch: str | None = None
    status: str = "active"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> UserFilter:
        """From a query string; a value that cannot be read is refused naming its field."""
        errors: dict[str, str] = {}
        values: dict[str, str | None] = {}
        for name in ("q", "role", "group", "branch", "status"):
            try:
                values[name] = text_search.clean_term(args.get(name), name)
            except InvalidInput as exc:
                errors.update(exc.errors)
                values[name] = None
        if values["role"] and values["role"] not in ROLES:
            errors["role"] = _("one of %(keys)s", keys=", ".join(ROLES))
        status = values.pop("status") or "active"
        if status not in STATUSES:
            errors["status"] = _("one of %(keys)s", keys=", ".join(STATUSES))
        if errors:
            raise InvalidInput(_("The filter cannot be applied."), errors)
        return cls(status=status, **values)

    def as_args(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class UserList:
    rows: list[User]
    total: int
    page: int


def list_users(admin: User, filters: UserFilter, page: int = 1) -> UserList:
    """Users by name shown, narrowed by ``filters``, a page at a time."""
    check_admin(admin)
    query = select(User)
    if filters.status != "all":
        query = query.where(User.active.is_(filters.status == "active"))
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.group:
        query = query.where(
            User.id.in_(select(UserGroup.user_id).where(UserGroup.group_code == filters.group))
        )
    if filters.branch:
        query = query.where(User.branch == filters.branch)
    if filters.q:
        like = text_search.like_pattern(filters.q)
        query = query.where(
            or_(User.username.ilike(like, escape="\\"), User.display_name.ilike(like, escape="\\"))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(User.display_name, User.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return UserList(list(rows), total, page)


@dataclass(frozen=True)
class UserPage:
    user: User
    certificates: list[TrainingCompletion]  # the passes of the approval course (审批资格)
    tasks_held: list[HumanTask]  # open tasks assigned to the user (to reassign before they leave)
    required: dict[str, str]  # group -> why a deployed process needs it
    groups: list[str]  # every group that can be given


def user_page(admin: User, user_id: int) -> UserPage:
    check_admin(admin)
    user = _user(user_id)
    certificates = db.session.scalars(
        select(TrainingCompletion)
        .join(Course, Course.id == TrainingCompletion.course_id)
        .where(
            TrainingCompletion.user_id == user.id,
            Course.code == APPROVAL_COURSE,
            TrainingCompletion.result == "pass",
        )
        .order_by(TrainingCompletion.valid_until.desc(), TrainingCompletion.id.desc())
    ).all()
    held = db.session.scalars(
        select(HumanTask)
        .where(HumanTask.assignee_id == user.id, HumanTask.state == "ready")
        .order_by(HumanTask.created_at)
    ).all()
    return UserPage(
        user, list(certificates), list(held), membership.required_groups(), membership.known_groups()
    )


@dataclass(frozen=True)
class Choices:
    """What the forms offer: every group that can be given (and which are required), the branches, the teams."""

    groups: list[str]
    required: dict[str, str]
    branches: list[str]
    teams: list[str]


def choices(admin: User) -> Choices:
    check_admin(admin)
    return Choices(membership.known_groups(), membership.required_groups(), branches(), teams())


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No user %(name)s.", name=user_id))
    return user


def parse_level(raw: str | None, errors: dict[str, str]) -> int | None:
    """An authority level typed in a form (empty: none)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 2:
        errors["authority_level"] = _("a whole number")
        return None
    return int(raw)


def create(admin: User, form: Mapping[str, str], groups: list[str]) -> tuple[User, str | None]:
    """A user from the administrator's form; returns it and the generated password to show once (None when
    the administrator typed one). Either way the user chooses their own at the first log-in."""
    check_admin(admin)
    errors: dict[str, str] = {}
    level = parse_level(form.get("authority_level"), errors)
    typed = form.get("password") or None
    if errors:
        raise InvalidInput(_("The user was not created."), errors)
    user, password = create_user(
        form.get("username", ""),
        form.get("role", ""),
        typed,
        display_name=form.get("display_name"),
        authority_level=level,
        branch=(form.get("branch") or "").strip(),
        groups=tuple(groups),
        email=form.get("email"),
        actor=admin,
        must_change_password=True,
        team=form.get("team"),
    )
    return user, None if typed else password


def update_profile(admin: User, user_id: int, form: Mapping[str, str]) -> User:
    """Change the name shown, e-mail, branch, team and authority level; audited with what changed."""
    check_admin(admin)
    user = _user(user_id)
    errors: dict[str, str] = {}
    level = parse_level(form.get("authority_level"), errors)
    values: dict[str, Any] = {  # profile_errors' keywords, each of its type
        "display_name": (form.get("display_name") or "").strip(),
        "email": (form.get("email") or "").strip() or None,
        "branch": (form.get("branch") or "").strip(),
        "team": (form.get("team") or "").strip() or None,
        "authority_level": level,
    }
    errors.update(profile_errors(**values, role=user.role))
    if errors:
        raise InvalidInput(_("The user was not changed."), errors)
    with unit_of_work():
        before = {k: getattr(user, k) for k in values if getattr(user, k) != values[k]}
        for key in before:
            setattr(user, key, values[key])
        if before:
            audit.record(
                "user.updated",
                admin,
                target=user.username,
                before=before,
                after={k: values[k] for k in before},
            )
    if (
        "authority_level" in before
    ):  # a sign-off waiting for that level may now reach them (or lose its approver)
        staffing.recheck(admin)
    return user


def set_role_and_groups(admin: User, user_id: int, role: str, groups: list[str]) -> User:
    """The user's role and groups: exactly ``groups``, and always the role's own group."""
    check_admin(admin)
    user = _user(user_id)
    errors = group_errors(role, tuple(groups))
    if role == "approver" and user.authority_level is None:
        errors["role"] = _("give the user an authority level first (an approver needs one)")
    if errors:
        raise InvalidInput(_("The user was not changed."), errors)
    was, before = membership.Standing.of(user), {"role": user.role, "groups": sorted(user.group_codes)}
    wanted = set(groups) | {ROLE_GROUPS[role]}
    user.role = role
    user.groups = [g for g in user.groups if g.group_code in wanted] + [
        UserGroup(group_code=code) for code in sorted(wanted - user.group_codes)
    ]
    after = {"role": role, "groups": sorted(wanted)}
    if after == before:
        return user
    membership.commit_change(admin, user, "user.membership_changed", was=was, before=before, after=after)
    return user


def set_active(admin: User, user_id: int, active: bool) -> User:
    """Deactivate (they can no longer log in or use a token; their name stays in every history) or
    reactivate a user."""
    check_admin(admin)
    user = _user(user_id)
    if user.active == active:
        return user
    if admin is not None and user.id == admin.id and not active:
        raise InvalidInput(_("The user was not changed."), {"active": _("you cannot deactivate yourself")})
    was = membership.Standing.of(user)
    user.active = active
    users.end_sessions(user)
    membership.commit_change(
        admin,
        user,
        "user.reactivated" if active else "user.deactivated",
        was=was,
        before={"active": not active},
        after={"active": active},
    )
    return user


def reset_password(admin: User, user_id: int, password: str | None) -> str | None:
    """Set a temporary password (typed, or generated and returned to be shown once); the user must change
    it at the next log-in. Audited, without the password."""
    check_admin(admin)
    user = _user(user_id)
    password = password or None
    if password is not None and (problem := passwords.problem(password, user.username)):
        raise InvalidInput(_("The password was not reset."), {"password": problem})
    chosen = password or passwords.generate(user.username)
    with unit_of_work():
        before = user.must_change_password
        user.password_hash, user.must_change_password = passwords.hashed(chosen), True
        users.end_sessions(user)  # whoever held the old password is signed out
        audit.record(
            "user.password_reset",
            admin,
            target=user.username,
            generated=password is None,
            before={"must_change_password": before},
            after={"must_change_password": True},
        )
    return None if password else chosen


def record_qualification(admin: User, user_id: int, certificate: str, until: str) -> TrainingCompletion:
    """Record ``user_id``'s approval qualification (see ``qualifications.record``)."""
    check_admin(admin)
    return qualifications.record(admin, _user(user_id).username, certificate, until)
