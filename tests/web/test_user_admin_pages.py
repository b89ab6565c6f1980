"""Settings → Users in the browser: the administrator lists, creates and changes users; every other role is
refused on every route; bad input is a 4xx naming the field, never a 500."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import User
from tests.factories import PASSWORD
from tests.web.test_pages import text_of

ROUTES = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("get", "/admin/users/{id}"),
    ("post", "/admin/users/{id}/profile"),
    ("post", "/admin/users/{id}/membership"),
    ("post", "/admin/users/{id}/deactivate"),
    ("post", "/admin/users/{id}/reactivate"),
    ("post", "/admin/users/{id}/password"),
    ("post", "/admin/users/{id}/qualifications"),
]


@pytest.mark.parametrize("username", ["officer", "approver2", "risk", "compliance", "designer", "cro"])
def test_every_other_role_is_refused_on_every_route(as_user, people, username):
    client = as_user(username)
    data = {
        "username": "intruder",
        "role": "admin",
        "display_name": "x",
        "branch": "head_office",
        "groups": ["admin"],
        "password": "Intruder-pass-1",
        "certificate": "C",
        "valid_until": "2030-01-01",
    }
    for method, url in ROUTES:
        response = getattr(client, method)(url.format(id=people.officer2.id), data=data)
        assert response.status_code == 403, (method, url, response.status_code)
    db.session.expire_all()
    assert people.officer2.active and db.session.query(User).filter_by(username="intruder").first() is None
    assert "/admin/users" not in text_of(client.get("/tasks"))


def test_the_administrator_creates_a_user_who_chooses_a_password_at_the_first_log_in(app, as_user, people):
    admin = as_user("admin")
    assert "New user" in text_of(admin.get("/admin/users"))
    created = admin.post(
        "/admin/users/new",
        data={
            "username": "chen.jing",
            "display_name": "陈静",
            "role": "approver",
            "authority_level": "2",
            "groups": ["committee"],
            "branch": "shanghai",
            "email": "chen@bank.cn",
            "password": "",
        },
    )
    page = text_of(created)
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    shown = re.search(r'id="shown-password">.*?<code>([^<]+)</code>', page, re.S).group(1)
    user = db.session.query(User).filter_by(username="chen.jing").one()
    assert user.group_codes == {"approver", "committee"} and shown not in text_of(
        admin.get(f"/admin/users/{user.id}")
    )
    newcomer = app.test_client()
    newcomer.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert newcomer.post("/login", data={"username": "chen.jing", "password": shown}).status_code == 302
    for url in ("/tasks", "/cases", "/inbox"):
        assert newcomer.get(url).headers["Location"].endswith("/account/password"), url
    assert newcomer.get("/api/v1/tasks").status_code == 401  # the API is not a way around it
    bad = newcomer.post("/account/password", data={"current": shown, "new": "chen.jing-123", "repeated": "x"})
    assert bad.status_code == 422 and "must not be or contain the user name" in text_of(bad)
    done = newcomer.post(
        "/account/password", data={"current": shown, "new": "Own-choice-2026", "repeated": "Own-choice-2026"}
    )
    assert done.status_code == 302 and newcomer.get("/tasks").status_code == 200


def test_a_refusal_names_the_required_group_on_the_page(as_user, people):
    admin = as_user("admin")
    refused = admin.post(f"/admin/users/{people.compliance.id}/deactivate")
    assert refused.status_code == 409
    assert "last active member of the group compliance" in text_of(refused)
    refused = admin.post(
        f"/admin/users/{people.cro.id}/membership", data={"role": "risk_manager", "groups": ["committee"]}
    )
    assert refused.status_code == 409 and "cro" in text_of(refused) and "veto" in text_of(refused)
    db.session.expire_all()
    assert people.compliance.active and "cro" in people.cro.group_codes


def test_a_deactivated_user_is_signed_out_and_reactivated_in_the_browser(as_user, people):
    officer2 = as_user("officer2")
    admin = as_user("admin")
    assert admin.post(f"/admin/users/{people.officer2.id}/deactivate").status_code == 302
    assert officer2.get("/tasks").status_code == 302  # the open session ended
    assert "officer2" in text_of(admin.get("/admin/users?status=deactivated"))
    assert admin.post(f"/admin/users/{people.officer2.id}/reactivate").status_code == 302
    assert as_user("officer2").get("/tasks").status_code == 200


def test_a_password_reset_shows_a_generated_one_once(app, as_user, people):
    admin = as_user("admin")
    reset = admin.post(f"/admin/users/{people.officer2.id}/password", data={"password": ""})
    shown = re.search(r'id="shown-password">.*?<code>([^<]+)</code>', text_of(reset), re.S).group(1)
    assert reset.headers["Cache-Control"] == "no-store"
    client = app.test_client()
    assert client.post("/login", data={"username": "officer2", "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"username": "officer2", "password": shown}).status_code == 302
    weak = admin.post(f"/admin/users/{people.officer2.id}/password", data={"password": "123456789012"})
    assert weak.status_code == 422 and "too common" in text_of(weak)


NASTY = ["a\x00b", "line\x07bell", "长" * 300]


@pytest.mark.parametrize("value", NASTY)
@pytest.mark.parametrize(
    ("url", "field", "base"),
    [
        ("/admin/users/new", "username", {"display_name": "x", "role": "officer", "branch": "head_office"}),
        (
            "/admin/users/new",
            "display_name",
            {"username": "new.one", "role": "officer", "branch": "head_office"},
        ),
        ("/admin/users/new", "email", {"username": "new.one", "role": "officer", "branch": "head_office"}),
        ("/admin/users/new", "role", {"username": "new.one", "branch": "head_office"}),
        (
            "/admin/users/new",
            "authority_level",
            {"username": "new.one", "role": "approver", "branch": "head_office"},
        ),
        ("/admin/users/new", "password", {"username": "new.one", "role": "officer", "branch": "head_office"}),
        ("/admin/users/new", "groups", {"username": "new.one", "role": "officer", "branch": "head_office"}),
        ("/admin/users/{id}/profile", "display_name", {"branch": "head_office"}),
        ("/admin/users/{id}/profile", "email", {"display_name": "x", "branch": "head_office"}),
        ("/admin/users/{id}/profile", "branch", {"display_name": "x"}),
        ("/admin/users/{id}/profile", "authority_level", {"display_name": "x", "branch": "head_office"}),
        ("/admin/users/{id}/membership", "role", {}),
        ("/admin/users/{id}/membership", "groups", {"role": "officer"}),
        ("/admin/users/{id}/password", "password", {}),
        ("/admin/users/{id}/qualifications", "certificate", {"valid_until": "2030-01-01"}),
        ("/admin/users/{id}/qualifications", "valid_until", {"certificate": "CQ-1"}),
        ("/admin/users?{field}={value}", "q", None),
        ("/admin/users?{field}={value}", "role", None),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field(as_user, people, url, field, base, value):
    admin = as_user("admin")
    if base is None:
        response = admin.get(url.format(field=field, value=value))
    else:
        response = admin.post(url.format(id=people.officer2.id), data={**base, field: value})
    assert response.status_code == 422, (field, response.status_code)
    page = text_of(response)
    assert "was not" in page or "cannot be applied" in page
    db.session.expire_all()
    assert people.officer2.display_name == "officer2"


def test_the_user_forms_need_the_csrf_token(app, as_user, people, monkeypatch):
    admin = as_user("admin")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for url in (
        "/admin/users/new",
        f"/admin/users/{people.officer2.id}/deactivate",
        f"/admin/users/{people.officer2.id}/password",
        "/account/password",
    ):
        assert admin.post(url, data={"username": "x.y", "role": "officer"}).status_code == 400, url
    db.session.expire_all()
    assert people.officer2.active and not people.officer2.must_change_password
    page = text_of(admin.get(f"/admin/users/{people.officer2.id}"))
    assert page.count('name="csrf_token"') >= 6  # every form of the page carries it
