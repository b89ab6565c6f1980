"""Unit tests need no database: the emptying fixture of the parent conftest is switched off here."""

import pytest


@pytest.fixture(autouse=True)
def _clean_db():
    yield
