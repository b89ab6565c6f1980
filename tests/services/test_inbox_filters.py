"""The sign-off inbox narrowed and ordered: amount, grade, segment, waiting time, search, sort."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.errors import InvalidInput
from app.extensions import db
from app.models import HumanTask
from app.models.base import utcnow
from app.services.cases import cases, tasks
from app.services.cases.inbox_filters import InboxFilter
from tests.factories import intake, open_task, review, statements


def at_signoff(officer, index: int, name: str, amount: int):
    case = cases.start_case(officer, "credit_application")
    tasks.complete(
        officer,
        open_task(case.id, "application_intake").id,
        intake(index, customer_name=name, requested_amount=amount),
    )
    tasks.complete(officer, open_task(case.id, "financial_statements").id, {"statements": statements()})
    db.session.refresh(case)
    tasks.complete(officer, open_task(case.id, "review_proposal").id, review(case, proposed_limit=amount))
    return case, open_task(case.id, "approval_signoff")


@pytest.fixture
def inbox_of_three(deployed, people):
    made = [
        at_signoff(people.officer, 61, "东方电子有限公司", 2_000_000),
        at_signoff(people.officer, 62, "星辰软件有限公司", 8_000_000),
        at_signoff(people.officer, 63, "海川物流有限公司", 5_000_000),
    ]
    old = made[0][1]
    db.session.execute(
        update(HumanTask).where(HumanTask.id == old.id).values(created_at=utcnow() - timedelta(days=5))
    )
    db.session.commit()
    return [signoff.id for _, signoff in made]


def ids(user, **args) -> list[int]:
    return [t.id for t in tasks.sign_off_inbox(user, filters=InboxFilter.from_args(args)).rows]


def test_filters_narrow_and_sorts_order_the_inbox(inbox_of_three, people):
    first, second, third = inbox_of_three
    senior = people.approver3
    assert ids(senior) == [first, second, third]
    assert ids(senior, q="星辰") == [second]
    assert ids(senior, q="CA-") == [first, second, third]  # by case reference
    assert ids(senior, min_amount="4,000,000") == [second, third]
    assert ids(senior, max_amount="5000000", sort="amount_desc") == [third, first]
    assert ids(senior, sort="amount_desc") == [second, third, first]
    assert ids(senior, waiting_days="3") == [first]
    grade = db.session.get(HumanTask, first).instance.summary["grade"]
    assert first in ids(senior, grade=grade) and ids(senior, grade="C") == []


def test_a_filter_that_cannot_be_read_is_refused_naming_it():
    with pytest.raises(InvalidInput) as caught:
        InboxFilter.from_args({"min_amount": "lots", "waiting_days": "-2", "sort": "random"})
    assert set(caught.value.errors) == {"min_amount", "waiting_days", "sort"}
