"""Users, log-in and API tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.models import ApiToken, AuditEvent, User
from app.models.base import utcnow
from app.services.admin import users


def events(event_type: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id)
        )
    )


def test_create_user_hashes_the_password_joins_the_role_group_and_audits(app):
    admin, _ = users.create_user("boss", "admin", "long-enough-1")
    user, password = users.create_user(
        "zhang.san", "approver", "long-enough-2", authority_level=2, display_name="张三", actor=admin
    )
    assert password == "long-enough-2"
    stored = db.session.scalar(select(User.password_hash).where(User.username == "zhang.san"))
    assert "long-enough-2" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert (user.display_name, user.authority_level, user.group_codes) == ("张三", 2, {"approver"})
    created = events("user.created")[-1]
    assert created.actor_name == "boss" and created.payload == {
        "target": "zhang.san",
        "before": None,
        "after": {
            "display_name": "张三",
            "role": "approver",
            "groups": ["approver"],
            "authority_level": 2,
            "branch": "head_office",
            "team": None,
            "email": None,
            "active": True,
        },
    }


def test_a_user_can_join_the_committee_and_an_unknown_group_is_refused(app):
    member, _ = users.create_user("wang.wu", "risk_manager", "long-enough-3", groups=("committee", "cro"))
    assert member.group_codes == {"risk_manager", "committee", "cro"}
    with pytest.raises(InvalidInput) as caught:
        users.create_user("zhao", "approver", "long-enough-4", authority_level=1, groups=("board",))
    assert "board" in caught.value.errors["groups"]
    assert db.session.scalar(select(User.id).where(User.username == "zhao")) is None


def test_a_generated_password_is_returned_and_works(app):
    _, password = users.create_user("li", "officer")
    assert len(password) >= 12
    assert users.authenticate("li", password).username == "li"


@pytest.mark.parametrize(
    ("args", "kwargs", "field"),
    [
        (("x", "king", "long-enough-1"), {}, "role"),
        (("bad name!", "officer", "long-enough-1"), {}, "username"),
        (("short", "officer", "1234567"), {}, "password"),
        (("appr", "approver", "long-enough-1"), {}, "authority_level"),
        (("appr", "approver", "long-enough-1"), {"authority_level": 10}, "authority_level"),
    ],
)
def test_invalid_users_are_refused_per_field(app, args, kwargs, field):
    with pytest.raises(InvalidInput) as caught:
        users.create_user(*args, **kwargs)
    assert field in caught.value.errors
    assert db.session.scalar(select(User).where(User.username == args[0])) is None


def test_a_taken_username_is_refused(app):
    users.create_user("li", "officer", "long-enough-1")
    with pytest.raises(InvalidInput) as caught:
        users.create_user("li", "compliance", "long-enough-1")
    assert "li" in caught.value.errors["username"]


def test_login_success_and_failure_are_audited(app):
    users.create_user("li", "officer", "long-enough-1")
    assert users.authenticate("li", "long-enough-1").username == "li"
    assert [e.actor_name for e in events("auth.login")] == ["li"]
    for name, password in (("li", "wrong-password"), ("ghost", "long-enough-1")):
        with pytest.raises(NotAuthorized):
            users.authenticate(name, password)
    failed = events("auth.login_failed")
    assert [(e.actor_name, e.actor_id, e.payload) for e in failed] == [
        ("system", None, {"username": "li"}),
        ("system", None, {"username": "ghost"}),
    ]
    assert all("password" not in str(e.payload) for e in failed)


def test_an_inactive_user_cannot_log_in_or_use_a_token(app):
    user, _ = users.create_user("li", "officer", "long-enough-1")
    token = users.issue_token("li")
    user.active = False
    db.session.commit()
    with pytest.raises(NotAuthorized):
        users.authenticate("li", "long-enough-1")
    assert users.user_for_token(token) is None


def test_tokens_are_stored_hashed_and_expire_or_can_be_revoked(app):
    user, _ = users.create_user("li", "officer", "long-enough-1")
    token = users.issue_token("li")
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash != token and token not in row.token_hash
    assert users.user_for_token(token).id == user.id
    assert users.user_for_token(token + "x") is None and users.user_for_token("") is None
    assert events("auth.token_issued")[-1].actor_name == "li"
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert users.user_for_token(token) is None
    row.expires_at, row.revoked = utcnow() + timedelta(days=1), True
    db.session.commit()
    assert users.user_for_token(token) is None


def test_each_token_is_new(app):
    users.create_user("li", "officer", "long-enough-1")
    first, second = users.issue_token("li"), users.issue_token("li")
    assert first != second
    assert users.user_for_token(first).username == users.user_for_token(second).username == "li"


def test_passwords_outside_tests_are_hashed_with_scrypt(app, monkeypatch):
    from config import BaseConfig, ProductionConfig

    assert BaseConfig.PASSWORD_HASH_METHOD == ProductionConfig.PASSWORD_HASH_METHOD == "scrypt"
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", BaseConfig.PASSWORD_HASH_METHOD)
    users.create_user("li.si", "officer", "long-enough-3")
    stored = db.session.scalar(select(User.password_hash).where(User.username == "li.si"))
    assert stored.startswith("scrypt:")
    assert users.authenticate("li.si", "long-enough-3").username == "li.si"
