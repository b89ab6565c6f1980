"""An import row over a limit is reported as a bad row naming the limit, not a failed import (a kept message's value is kept as JSON keeps it)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app.extensions import db
from app.language import shown
from app.models import Customer
from app.services import imports
from app.services.demo import demo_uscc

HEADER = "uscc,observed_on,overdue_interest"


@pytest.fixture(autouse=True)
def _english(app):
    with force_locale("en"):
        yield


def test_an_amount_above_the_limit_is_a_bad_row(app, people):
    customer = Customer(name="监测客户", uscc=demo_uscc(100), industry="manufacturing", size="medium",
                        credit_record="clean")
    db.session.add(customer)
    db.session.commit()
    text = f"{HEADER}\n{customer.uscc},2026-01-31,2000000000000000\n"
    job = imports.upload(people.risk, "obs.csv", text.encode())
    imports.run(job.id)  # raised TypeError (a Decimal in the kept message's values): the job stayed "running"
    job = db.session.get(type(job), job.id)
    assert job.status == "done", (job.status, job.failure)
    [error] = job.errors
    assert error["column"] == "overdue_interest" and shown(error["reason"]) == "at most 1,000,000,000,000,000"


def test_a_kept_messages_values_are_kept_as_json_keeps_them(app):
    from datetime import date
    from decimal import Decimal

    from app.language import kept

    message = kept("at most %(n)s", n=Decimal("1.5"))
    assert message.stored() == {"msgid": "at most %(n)s", "params": {"n": "1.5"}}
    assert kept("the same customer and date as row %(row)s", row=date(2026, 1, 2)).stored()["params"] == {
        "row": "2026-01-02"}
