"""Every route × every role, against the one table of who may reach what (``route_access.ACCESS``).

One seeding for the module (``route_seed``), a user of each role and the anonymous visitor, the plain test
client: each of the app's rules is requested with each of its methods as each of them, and any answer the
table does not expect fails, naming the route, the role and the status. A route without a row fails too.
"""

from __future__ import annotations

import pytest

from app import create_app
from app.services.admin import users
from config import TestingConfig
from tests.conftest import OwnUserClient, clean_up
from tests.factories import PASSWORD
from tests.web import route_access
from tests.web.route_seed import ROLE_USERS, ROLES, seed


@pytest.fixture
def _clean_db():
    """The module's tests share one seeding (``seeded``), emptied once at the end."""
    yield


@pytest.fixture(scope="module")
def seeded(app):
    with app.app_context():
        yield seed()
        clean_up()


def login_as(app):
    def login(role: str | None):
        client = app.test_client()
        headers = {"Accept-Language": "en"}
        if role is not None:
            response = client.post("/login", data={"username": ROLE_USERS[role], "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)
            headers["Authorization"] = f"Bearer {users.issue_token(ROLE_USERS[role])}"
        return client, headers

    return login


def test_every_route_has_a_row_in_the_table(app):
    assert route_access.unlisted(app) == []
    assert set(route_access.ACCESS) <= {rule.endpoint for rule in app.url_map.iter_rules()}, (
        "rows for routes that are gone"
    )


def test_every_route_answers_each_role_as_the_table_says(app, seeded, jobs_here):
    extra = {
        "api.withdraw_case": {"case_id": seeded["withdrawn_case_id"]},
        "cases.withdraw": {"case_id": seeded["withdrawn_case_id"]},
        "models.drift_check": {"check_id": seeded["drift_check_id"]},
    }
    wrong = route_access.probe(app, ROLES, login_as(app), seeded, extra)
    assert not wrong, "\n".join(wrong)


def test_a_new_route_without_a_row_or_without_its_check_fails(tmp_path, monkeypatch):
    """The property the two tests above keep: a page added later is named until the table has it, and a
    page that the table restricts but whose view checks nothing is named too."""
    other = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/routes.sqlite",
        WTF_CSRF_ENABLED=False,
        SERVER_NAME="localhost",
    )
    other.test_client_class = OwnUserClient
    other.add_url_rule("/probe/forgotten", "forgotten_page", lambda: "open to all")
    other.add_url_rule("/probe/unguarded", "unguarded_page", lambda: "open to all")
    monkeypatch.setitem(route_access.ACCESS, "unguarded_page", route_access.ONLY_ADMIN)

    assert route_access.unlisted(other) == ["forgotten_page"]
    with other.app_context():
        wrong = route_access.probe(
            other, [None], login_as(other), {}, only={"forgotten_page", "unguarded_page", "admin.outbox"}
        )
    assert len(wrong) == 2, wrong
    assert wrong[0].startswith("forgotten_page (GET /probe/forgotten): no row")
    assert wrong[1].startswith(
        "unguarded_page (GET /probe/unguarded) as anonymous: 200 (reached), the table says log in"
    )
