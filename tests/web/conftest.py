"""Fixtures of the page tests."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def as_user(app, deployed, people):
    """``as_user(username)``: a fresh test client logged in as that user, pages in English."""

    def do(username: str):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do
