"""Fixtures that more than one module of the service tests needs: a request in English, a customer."""

from __future__ import annotations

import pytest

from tests.services.test_contacts import customer_of


@pytest.fixture
def english_request(app):
    """The test runs inside a request in English: refusal messages are translated for the request's language."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.fixture
def customer(people):
    """A customer of ``people.officer``."""
    return customer_of(people.officer)
