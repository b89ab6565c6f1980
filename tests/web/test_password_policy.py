"""One password policy wherever a password is chosen: the command line, the administrator's pages (create
and reset) and a user changing their own, each refusal naming the rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.admin import demo, passwords
from tests.factories import PASSWORD

WEAK = [
    ("aaaaaaaa", "at least 12 characters"),
    ("aaaaaaaaaaaa", "not one or two characters repeated"),
    ("abababababab", "not one or two characters repeated"),
    ("Password2026!", "too common"),
    ("qwertyuiop12", "too common"),
    ("123456789012", "too common"),
    ("woaini1314520", "too common"),
    ("xu.ming-secret", "user name"),
]


@pytest.mark.parametrize(("password", "rule"), WEAK)
def test_the_policy_names_the_rule(app, password, rule):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert rule in passwords.problem(password, "xu.ming")


@pytest.mark.parametrize("password", [demo.PASSWORD, PASSWORD, "Tea at 3, by the river"])
def test_good_passwords_and_the_demo_one_pass(app, password):
    with app.test_request_context():
        assert passwords.problem(password, "xu.ming") is None


def test_the_command_line_refuses_a_weak_administrator_password(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "root2", "--role", "admin", "--password", "aaaaaaaa"]
    )
    assert result.exit_code != 0 and "12" in result.output
    assert db.session.scalar(select(User).where(User.username == "root2")) is None


@pytest.mark.parametrize(("password", "rule"), WEAK[:4])
def test_the_administrators_pages_refuse_a_weak_password(as_user, people, password, rule):
    admin = as_user("admin")
    created = admin.post(
        "/admin/users/new",
        data={"username": "xu.ming", "role": "admin", "password": password, "branch": "head_office"},
    )
    assert created.status_code == 422 and rule in created.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "xu.ming")) is None
    reset = admin.post(f"/admin/users/{people.officer2.id}/password", data={"password": password})
    assert reset.status_code == 422 and rule in reset.get_data(as_text=True)


def test_a_user_cannot_choose_a_weak_password_of_their_own(as_user, people):
    client = as_user("officer")
    answer = client.post(
        "/account/password", data={"current": PASSWORD, "new": "aaaaaaaa", "repeated": "aaaaaaaa"}
    )
    assert answer.status_code == 422 and "at least 12 characters" in answer.get_data(as_text=True)
