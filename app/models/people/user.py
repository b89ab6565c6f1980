"""People: users, their groups (BPMN lanes) and API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Model, utcnow

ROLES = ("officer", "approver", "risk_manager", "compliance", "designer", "admin")
# The candidate group (BPMN lane name) of each role: a user is always in their role's group.
ROLE_GROUPS: dict[str, str] = {role: role for role in ROLES}
# Groups beside the roles': the credit committee (贷审会) and the chief risk officer, who holds the
# committee's veto (the group named by rules/committee_rules.dmn).
EXTRA_GROUPS: tuple[str, ...] = ("committee", "cro")
GROUPS: frozenset[str] = frozenset(ROLE_GROUPS.values()) | frozenset(EXTRA_GROUPS)


class User(UserMixin, Model):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    authority_level: Mapped[int | None]
    branch: Mapped[str] = mapped_column(String(64), default="head_office")
    # The officer's team within the branch (对公一部…): "my team's customers" and the transfer form group by it.
    team: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))  # notifications are e-mailed when set
    active: Mapped[bool] = mapped_column(default=True)  # deactivated, never deleted: history keeps the name
    # Set when the administrator chose the password (created or reset): the user picks their own at log-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Counted up when the user's browser sessions must end (log-out, password changed or reset, deactivated):
    # a session cookie names the epoch it was signed in at and is refused once the epoch has moved on.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    groups: Mapped[list[UserGroup]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """What the session cookie keeps: the user and the session epoch (``"12:3"``)."""
        return f"{self.id}:{self.session_epoch or 0}"

    @property
    def group_codes(self) -> set[str]:
        return {g.group_code for g in self.groups}


class UserGroup(Model):
    """Membership of a user in a candidate group (a BPMN lane name)."""

    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("user_id", "group_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    group_code: Mapped[str] = mapped_column(String(64), index=True)

    user: Mapped[User] = relationship(back_populates="groups")


class ApiToken(Model):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()
