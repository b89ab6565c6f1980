"""A case's start data over the API (POST /cases {"data": ...}) is checked as its form checks it: a value the
form refuses is a 422 naming the field, and nothing is stored (no case, no customer)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, ProcessInstance
from app.services.admin import users


@pytest.fixture
def officer_api(client, people, deployed):
    headers = {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token('officer')}"}
    return lambda data: client.post(
        "/api/v1/cases", json={"process": "credit_application", "data": data}, headers=headers
    )


def stored() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(ProcessInstance)),
        db.session.scalar(select(func.count()).select_from(Customer)),
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {"uscc": "NOT-A-CODE", "customer_name": "某公司"},
            "uscc",
        ),  # was a customer under a false code, or a 409
        ({"requested_amount": 10**30}, "requested_amount"),  # was a 500 (too large for the database)
        ({"uscc": 10**30}, "uscc"),  # was a 500 looking the customer up
        ({"requested_amount": -5}, "requested_amount"),
        ({"credit_record": float("nan")}, "credit_record"),  # was a 500 (NaN stored in the case summary)
    ],
)
def test_start_data_the_form_refuses_is_a_422_naming_the_field(officer_api, data, field):
    before = stored()
    response = officer_api(data)
    assert response.status_code == 422, response.get_json()
    named = response.get_json()[
        "errors"
    ]  # by the form (``field``) or, for a number no form could hold, the body
    assert field in named or f"data.{field}" in named, named
    assert stored() == before


def test_start_data_the_form_accepts_prefills_the_intake(officer_api):
    response = officer_api({"customer_name": "预填公司", "requested_amount": 5_000_000})
    assert response.status_code == 201, response.get_json()
