"""The maturing facilities list (授信到期): who sees which facilities, the 30/60/90-day filter, the bands'
totals, the renewal states, what is used of a limit, and each customer's facilities with their dates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.services.cases import tasks
from app.services.customers.facilities import maturing, renewals
from app.services.monitoring import observations
from tests.factories import approved_case, open_task
from tests.services.facilities import maturing_in


@pytest.fixture
def book(deployed, people):
    """The officer's customers: one matured but live, one within 30, 60 and 90 days, one in 200 days; and one of
    officer2's within 30 days."""
    made = {
        days: maturing_in(approved_case(people, index, limit=1_000_000 * index), days)
        for index, days in enumerate((-3, 12, 45, 80, 200), start=1)
    }
    case = approved_case(SimpleOfficer(people, people.officer2), 9, limit=2_000_000)
    made["other"] = maturing_in(case, 20)
    return made


class SimpleOfficer:
    """``people`` with another officer opening the case."""

    def __init__(self, people, officer):
        self.__dict__.update(people.__dict__)
        self.officer = officer


def ids(listing) -> list[int]:
    return [t.facility.id for t in listing.rows]


def test_an_officer_sees_their_own_customers_soonest_first_with_bands(book, people):
    listing = maturing.maturing(people.officer)
    assert listing.within == 90
    assert ids(listing) == [book[-3].id, book[12].id, book[45].id, book[80].id]
    assert [t.days_left for t in listing.rows] == [-3, 12, 45, 80]
    assert [(b.key, b.count, b.limit) for b in listing.bands] == [
        ("matured", 1, Decimal(1_000_000)),
        ("within_30", 1, Decimal(2_000_000)),
        ("within_60", 1, Decimal(3_000_000)),
        ("within_90", 1, Decimal(4_000_000)),
    ]
    assert listing.total == 4 and all(t.may_propose for t in listing.rows)
    other = maturing.maturing(people.officer2)
    assert ids(other) == [book["other"].id] and other.rows[0].may_propose


def test_within_narrows_to_30_or_60_days_and_nothing_else(book, people):
    assert ids(maturing.maturing(people.officer, 30)) == [book[-3].id, book[12].id]
    assert [b.key for b in maturing.maturing(people.officer, 30).bands] == ["matured", "within_30"]
    assert ids(maturing.maturing(people.officer, 60)) == [book[-3].id, book[12].id, book[45].id]
    for wrong in (45, 0, 365):
        with pytest.raises(InvalidInput) as refused:
            maturing.maturing(people.officer, wrong)
        assert "within" in refused.value.errors
    with pytest.raises(InvalidInput):
        maturing.maturing(people.officer, 90, "maybe")


@pytest.mark.parametrize("role", ["risk", "approver1", "compliance", "admin"])
def test_the_bank_sees_every_customers_facilities(book, people, role):
    listing = maturing.maturing(getattr(people, role), 30)
    assert ids(listing) == [book[-3].id, book[12].id, book["other"].id]
    assert not any(t.may_propose for t in listing.rows)  # only the customer's officer proposes


def test_a_designer_may_not_read_the_list(book, people):
    with pytest.raises(NotAuthorized):
        maturing.maturing(people.designer)
    with pytest.raises(NotAuthorized):
        maturing.of_customer(people.designer, book[12].customer_id)


def test_the_renewal_state_proposed_then_in_progress_with_its_case(book, people):
    proposed = renewals.propose(people.officer, book[12].id)
    worked = renewals.propose(people.officer, book[45].id)
    intake = tasks.open_task(people.officer, open_task(worked.id, "application_intake").id)
    tasks.complete(
        people.officer,
        intake.task.id,
        {
            k: v
            for k, v in intake.data.items()
            if k
            in (
                "customer_name",
                "uscc",
                "industry",
                "size",
                "credit_record",
                "listed",
                "requested_amount",
                "requested_term_months",
                "purpose",
            )
        },
    )
    states = {
        t.facility.id: (t.renewal_state, t.renewal.reference if t.renewal else None)
        for t in maturing.maturing(people.officer).rows
    }
    assert states == {
        book[-3].id: ("none", None),
        book[12].id: ("proposed", proposed.reference),
        book[45].id: ("in_progress", worked.reference),
        book[80].id: ("none", None),
    }
    assert ids(maturing.maturing(people.officer, renewal="none")) == [book[-3].id, book[80].id]
    assert ids(maturing.maturing(people.officer, renewal="proposed")) == [book[12].id]
    assert ids(maturing.maturing(people.officer, renewal="in_progress")) == [book[45].id]
    assert ids(maturing.maturing(people.officer, renewal="decided")) == []
    assert [b.count for b in maturing.maturing(people.officer, renewal="none").bands] == [1, 0, 0, 1]


def test_used_is_the_latest_observed_utilization_of_the_limit(book, people):
    customer = book[12].customer
    observations.record(
        people.officer,
        {
            "uscc": customer.uscc,
            "observed_on": (local_today() - timedelta(days=40)).isoformat(),
            "utilization_pct": 10,
        },
        "screen",
    )
    observations.record(
        people.officer,
        {"uscc": customer.uscc, "observed_on": local_today().isoformat(), "utilization_pct": 62.5},
        "screen",
    )
    row = next(t for t in maturing.maturing(people.officer).rows if t.facility.id == book[12].id)
    assert row.utilization_pct == Decimal("62.5") and row.used == Decimal("1250000.00")
    assert row.observed_on == local_today()
    assert (
        next(t for t in maturing.maturing(people.officer).rows if t.facility.id == book[45].id).used is None
    )


def test_a_customers_facilities_carry_their_dates_and_renewal(book, people):
    facility = book[12]
    renewal = renewals.propose(people.officer, facility.id)
    [term] = maturing.of_customer(people.risk, facility.customer_id)
    assert term.facility.start_on == local_today() and term.days_left == 12
    assert (term.renewal_state, term.renewal.id, term.may_propose) == ("proposed", renewal.id, False)
    [own] = maturing.of_customer(people.officer, book[45].customer_id)
    assert own.may_propose and own.renewal_state == "none"


def test_an_approver_sees_the_maturity_but_not_the_monitoring_data(book, people):
    customer = book[12].customer
    observations.record(
        people.officer,
        {"uscc": customer.uscc, "observed_on": local_today().isoformat(), "utilization_pct": 77},
        "screen",
    )
    assert people.approver1.role not in observations.MAY_READ
    for rows in (
        maturing.maturing(people.approver1).rows,
        maturing.of_customer(people.approver1, customer.id),
    ):
        row = next(t for t in rows if t.facility.id == book[12].id)
        assert row.utilization_pct is None and row.used is None and row.observed_on is None
    assert (
        next(t for t in maturing.maturing(people.risk).rows if t.facility.id == book[12].id).used is not None
    )


def test_the_statements_of_a_list_page_do_not_grow_with_its_rows(book, people):
    from sqlalchemy import event

    def statements_for(call) -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            terms = call()
            [(t.facility.instance.reference, t.facility.renews) for t in terms]  # what the page reads of each
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    few = statements_for(lambda: maturing.maturing(people.officer, within=30).rows)
    many = statements_for(lambda: maturing.maturing(people.risk, within=90).rows)
    assert len(maturing.maturing(people.risk, within=90).rows) > len(
        maturing.maturing(people.officer, within=30).rows
    )
    assert many <= few + 1, (few, many)
