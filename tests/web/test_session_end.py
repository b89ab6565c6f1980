"""Sessions end on the server: a cookie replayed after log-out, deactivation or a password change opens
nothing, and a session ends by itself when idle too long or after a working day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.services.admin import user_admin
from config import BaseConfig
from tests.factories import PASSWORD

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def real_limits(app, monkeypatch):
    """The limits every environment but the tests' has (the suite travels in time with clients signed in)."""
    for key in ("SESSION_IDLE_MINUTES", "SESSION_HOURS", "PERMANENT_SESSION_LIFETIME"):
        monkeypatch.setitem(app.config, key, getattr(BaseConfig, key))


def test_the_defaults_are_half_an_hour_idle_and_a_working_day():
    assert (BaseConfig.SESSION_IDLE_MINUTES, BaseConfig.SESSION_HOURS) == (30, 10)
    assert BaseConfig.PERMANENT_SESSION_LIFETIME == timedelta(hours=10)


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replayed(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def shows_login(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_replayed_after_logout_opens_nothing(app, signed_in):
    client = signed_in("compliance")
    assert client.get("/audit").status_code == 200
    cookie = cookie_of(client)
    assert client.post("/logout").status_code == 302
    assert shows_login(replayed(app, cookie).get("/audit"))
    assert shows_login(client.get("/audit"))


def test_logging_out_ends_the_users_other_sessions_too(signed_in):
    office, home = signed_in("compliance"), signed_in("compliance")
    office.post("/logout")
    assert shows_login(home.get("/audit"))
    assert signed_in("compliance").get("/audit").status_code == 200  # a new log-in works


def test_deactivation_ends_the_users_sessions(app, people, signed_in):
    client = signed_in("compliance")
    cookie = cookie_of(client)
    user_admin.set_active(people.admin, people.compliance.id, False)
    user_admin.set_active(people.admin, people.compliance.id, True)
    assert shows_login(client.get("/audit"))
    assert shows_login(replayed(app, cookie).get("/audit"))


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, signed_in):
    here, elsewhere = signed_in("compliance"), signed_in("compliance")
    old_cookie = cookie_of(here)
    changed = here.post(
        "/account/password",
        data={"current": PASSWORD, "new": "Fresh-choice-2026", "repeated": "Fresh-choice-2026"},
    )
    assert changed.status_code == 302
    assert here.get("/audit").status_code == 200
    assert shows_login(elsewhere.get("/audit"))
    assert shows_login(replayed(app, old_cookie).get("/audit"))


def test_a_password_reset_by_the_administrator_ends_the_users_sessions(people, signed_in):
    client = signed_in("compliance")
    user_admin.reset_password(people.admin, people.compliance.id, None)
    assert shows_login(client.get("/audit"))


def test_an_idle_session_ends_after_the_configured_minutes(signed_in):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in("compliance")
        clock.shift(timedelta(minutes=29))
        assert client.get("/audit").status_code == 200
        clock.shift(timedelta(minutes=29))  # 29 minutes since the last request: still in
        assert client.get("/audit").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert shows_login(client.get("/audit"))
        page = client.get("/login").get_data(as_text=True)
        assert "logged out after 30 minutes without activity" in page


def test_a_session_in_use_ends_after_a_working_day(app, signed_in, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 60)
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in("compliance")
        for _ in range(19):  # a request every half hour for nine and a half hours
            clock.shift(timedelta(minutes=30))
            assert client.get("/audit").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert shows_login(client.get("/audit"))
        assert "a session lasts at most 10 hours" in client.get("/login").get_data(as_text=True)


def test_the_cookie_itself_is_refused_after_the_lifetime(app, signed_in):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in("compliance")
        cookie = cookie_of(client)
        clock.shift(timedelta(hours=10, minutes=1))
        assert shows_login(replayed(app, cookie).get("/audit"))
