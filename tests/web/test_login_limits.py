"""Log-in under attack: failed attempts are limited per user name and per address, known and unknown names
are answered alike, and what anyone may type is capped before it reaches the audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from werkzeug.exceptions import TooManyRequests

from app.errors import NotAuthorized
from app.extensions import db
from app.models import AuditEvent
from app.services.admin import users
from tests.factories import PASSWORD


def attempt(client, username: str, password: str = "wrong-password-1", address: str = "10.0.0.1"):
    return client.post(
        "/login",
        data={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": "en"},
    )


def failed_logins() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "auth.login_failed")))


def test_fifty_wrong_passwords_lock_the_account_and_the_right_one_waits(client, people):
    answers = [attempt(client, "officer").status_code for _ in range(50)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}
    refused = attempt(client, "officer", PASSWORD)
    assert refused.status_code == 429  # the right password too, until the window has moved on
    seconds = int(refused.headers["Retry-After"])
    assert 0 < seconds <= 60
    said = re.search(r"Try again in (\d+) seconds", refused.get_data(as_text=True))
    assert said and abs(int(said[1]) - seconds) <= 1
    assert len(failed_logins()) == 5  # refused attempts never reach the password check nor the audit


def test_the_account_limit_holds_from_every_address_and_the_address_limit_for_every_name(client, people):
    for index in range(5):
        assert attempt(client, "Officer ", address=f"10.0.1.{index}").status_code == 401
    assert attempt(client, "officer", PASSWORD, address="10.0.1.99").status_code == 429
    for index in range(20):
        assert attempt(client, f"guess{index}", address="10.0.2.1").status_code == 401
    assert attempt(client, "officer2", PASSWORD, address="10.0.2.1").status_code == 429
    assert attempt(client, "officer2", PASSWORD, address="10.0.2.2").status_code == 302


def test_right_passwords_do_not_count(app, people):
    for _ in range(30):
        client = app.test_client()
        assert attempt(client, "officer", PASSWORD).status_code == 302


def test_the_limit_is_the_configured_one(app, client, people, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ACCOUNT", "2 per hour")
    assert [attempt(client, "risk").status_code for _ in range(3)] == [401, 401, 429]
    assert int(attempt(client, "risk").headers["Retry-After"]) > 60 * 59


def test_a_refused_api_call_answers_json(app):
    with app.test_request_context("/api/v1/cases"):
        response = app.handle_user_exception(TooManyRequests())
    assert response.status_code == 429 and response.is_json and "retry_after" in response.get_json()


def test_known_and_unknown_names_cost_one_password_check_each(client, people, monkeypatch):
    checked: list[str] = []
    real = users.check_password_hash

    def spy(hashed: str, password: str) -> bool:
        checked.append(hashed)
        return real(hashed, password)

    monkeypatch.setattr(users, "check_password_hash", spy)
    for name in ("officer", "nobody-here", "nobody-else"):
        assert attempt(client, name, address=f"10.0.3.{len(checked)}").status_code == 401
    assert len(checked) == 3 and all(h.startswith(("pbkdf2:", "scrypt:")) for h in checked)


def test_an_inactive_user_costs_a_password_check_too(people, monkeypatch):
    from app.services.admin import user_admin

    user_admin.set_active(people.admin, people.officer2.id, False)
    checked = []
    monkeypatch.setattr(users, "check_password_hash", lambda h, p: checked.append(h) or True)
    with pytest.raises(NotAuthorized):
        users.authenticate("officer2", PASSWORD)
    assert len(checked) == 1


@pytest.mark.parametrize(("field", "value"), [("username", "x" * 5_000_000), ("password", "p" * 10_000)])
def test_an_over_long_field_is_refused_and_the_audit_keeps_a_capped_name(client, people, field, value):
    data = {"username": "officer", "password": PASSWORD, field: value}
    response = client.post("/login", data=data, environ_base={"HTTP_ACCEPT_LANGUAGE": "en"})
    assert response.status_code == 422
    assert ("User name: at most 64" if field == "username" else "Password: at most 128") in response.get_data(
        as_text=True
    )
    [event] = failed_logins()
    assert len(event.payload["username"]) <= 64


def test_control_characters_in_a_typed_name_never_reach_the_audit(client, people):
    refused = attempt(client, "admin\x00\nforged line")
    assert refused.status_code == 422 and "username" in refused.get_data(
        as_text=True
    )  # the input guard, first
    assert not any(
        "\n" in str(e.payload) or "\x00" in str(e.payload) for e in db.session.scalars(select(AuditEvent))
    )
