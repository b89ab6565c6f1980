"""The guarantee register: a guarantee checked field by field (hostile amounts refused), recorded and released
with its audit row, written only by the borrower's officer or a manager of its relationship, and the
customer's network one hop each way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.errors import Conflict, InvalidInput, NotAuthorized
from app.extensions import db
from app.models import AuditEvent, Guarantee
from app.services.customers.guarantees import network, register
from tests.factories import book_customer, facility


def good(guarantor, **overrides) -> dict:
    return {
        "guarantor_uscc": guarantor.uscc.lower(),
        "kind": "guarantee",
        "amount": "5,000,000.00",
        "signed_on": "2026-01-05",
        **overrides,
    }


def refused(call) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors


def test_a_guarantee_is_recorded_audited_and_released(people):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer2, 2)
    recorded = register.record(people.officer, borrower.id, good(guarantor))
    assert (recorded.guarantor_id, recorded.amount, recorded.status) == (
        guarantor.id,
        Decimal("5000000.00"),
        "active",
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "guarantee.recorded"))
    assert event.customer_id == borrower.id and event.payload["after"]["amount"] == "5000000.00"
    register.release(people.officer, recorded.id)
    assert recorded.status == "released" and recorded.released_by_id == people.officer.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "guarantee.released"))
    with pytest.raises(Conflict):
        register.release(people.officer, recorded.id)


def test_the_network_reads_both_ways(people):
    a, b, c = (book_customer(people.officer, i) for i in (1, 2, 3))
    register.record(people.officer, a.id, good(b))
    register.record(people.officer, c.id, good(a, kind="pledge", amount=1000))
    seen = network.of_customer(people.compliance, a.id)
    assert [g.guarantor_id for g in seen.received] == [b.id]
    assert [g.customer_id for g in seen.given] == [c.id]
    assert seen.guaranteed_by_it == Decimal(1000) and seen.circle is None


@pytest.mark.parametrize(
    "amount",
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e309",
        "1e3",
        "0",
        "-5",
        "12.345",
        "99999999999999999",
        "12\x00",
        "1_000",
        "１０００",  # full-width digits
        "١٢٣",  # Arabic-Indic digits
        True,
        [1],
    ],
)
def test_hostile_amounts_are_refused_naming_the_field(people, amount):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer, 2)
    assert "amount" in refused(
        lambda: register.record(people.officer, borrower.id, good(guarantor, amount=amount))
    )


def test_each_bad_field_is_named(people):
    borrower, other = book_customer(people.officer, 1), book_customer(people.officer, 2)
    errors = refused(
        lambda: register.record(
            people.officer,
            borrower.id,
            {
                "guarantor_uscc": "91\x00",
                "kind": "bond",
                "amount": "",
                "signed_on": "2026-02-30",
                "ends_on": "x",
            },
        )
    )
    assert set(errors) == {"guarantor_uscc", "kind", "amount", "signed_on", "ends_on"}
    errors = refused(
        lambda: register.record(
            people.officer,
            borrower.id,
            good(borrower, signed_on="2026-03-01", ends_on="2026-02-01", facility_id="77"),
        )
    )
    assert set(errors) == {
        "guarantor_uscc",
        "ends_on",
        "facility_id",
    }  # itself; ends before it starts; not its facility
    assert "guarantor_uscc" in refused(
        lambda: register.record(people.officer, borrower.id, good(other, guarantor_uscc="91110000000000000X"))
    )


def test_the_facility_must_be_the_borrower_s(people, deployed):
    borrower, other = book_customer(people.officer, 1), book_customer(people.officer, 2)
    own, foreign = facility(borrower, 1_000_000), facility(other, 1_000_000)
    assert register.record(people.officer, borrower.id, good(other, facility_id=own.id)).facility_id == own.id
    assert "facility_id" in refused(
        lambda: register.record(people.officer, borrower.id, good(other, facility_id=foreign.id))
    )
    own.status = "exited"  # ended: the form no longer offers it, and the API may not name it either
    db.session.commit()
    assert register.form(people.officer, borrower.id).facilities == []
    assert (
        "有效"  # the borrower's live facilities (no request: zh)
        in refused(lambda: register.record(people.officer, borrower.id, good(other, facility_id=own.id)))[
            "facility_id"
        ]
    )


def test_only_the_officer_or_a_relationship_manager_writes(people):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer, 2)
    for outsider in (people.officer2, people.compliance):
        with pytest.raises(NotAuthorized):
            register.record(outsider, borrower.id, good(guarantor))
    with pytest.raises(NotAuthorized):
        register.record(people.designer, borrower.id, good(guarantor))
    recorded = register.record(people.risk, borrower.id, good(guarantor))
    with pytest.raises(NotAuthorized):
        register.release(people.officer2, recorded.id)
    with pytest.raises(NotAuthorized):
        network.of_customer(people.designer, borrower.id)


def test_of_two_releases_at_once_one_wins_and_the_other_is_told(people):
    borrower, guarantor = book_customer(people.officer, 1), book_customer(people.officer2, 2)
    recorded = register.record(people.officer, borrower.id, good(guarantor))
    # another session released it after this one read it as active
    db.session.execute(update(Guarantee).where(Guarantee.id == recorded.id).values(status="released"))
    db.session.commit()
    db.session.expire_all()
    stale = register.get(people.officer, recorded.id)
    set_committed_value(stale, "status", "active")  # what this session still believes: both read it at once
    with pytest.raises(Conflict):
        register.release(people.officer, recorded.id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.event_type == "guarantee.released")).all()
    assert events == []  # the loser wrote nothing
