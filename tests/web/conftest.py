"""Fixtures of the page tests."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


@pytest.fixture
def signed_in(app, people):
    """``signed_in(username, language="en")``: a fresh test client logged in as that user, its pages in that
    language (an Accept-Language header); nothing deployed."""

    def do(username: str, language: str = "en"):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        response = client.post("/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def as_user(deployed, signed_in):
    """``as_user(username, language="en")``: ``signed_in`` with credit_application deployed."""
    return signed_in
