"""The collateral register (押品): an item recorded with the haircut its kind's table gives and its first
valuation, hostile numbers refused naming the field, the shares of one item summing to at most 100%, the value
securing each facility (LTV, coverage), who may write, and the release."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.errors import Conflict, NotAuthorized
from app.extensions import db
from app.localtime import local_today
from app.models import AuditEvent, CollateralLink, CollateralValuation
from app.services.admin import users
from app.services.customers.collateral import coverage, policy, register
from app.services.customers.facilities.facility_terms import add_months
from tests.factories import PASSWORD, facility
from tests.services.collateral_data import borrower, record, refused


def test_an_item_is_recorded_with_its_haircut_and_first_valuation_and_audited(deployed, people):
    customer, live = borrower(people.officer)
    item = record(people.officer, customer, live, "60")
    assert (item.haircut, item.haircut_rule) == (Decimal("0.3000"), "Rule_collateral_haircut_02")
    assert item.value_after_haircut == Decimal("14000000.00")
    assert item.next_revaluation_on == add_months(item.appraised_on, 12)  # real estate: yearly
    assert [(link.facility_id, link.share) for link in item.links] == [(live.id, Decimal("60.00"))]
    [first] = db.session.scalars(select(CollateralValuation)).all()
    assert (first.value, first.instance_id, first.recorded_by_id) == (
        Decimal("20000000.00"),
        None,
        people.officer.id,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "collateral.recorded"))
    assert event.customer_id == customer.id and event.payload["after"]["haircut"] == "0.3000"
    assert event.payload["links"] == [{"facility_id": live.id, "share": "60.00"}]


@pytest.mark.parametrize(
    ("kind", "haircut", "months"),
    [("deposit", "0.05", 12), ("receivables", "0.40", 3), ("equipment", "0.50", 6), ("other", "0.60", 6)],
)
def test_the_haircut_and_the_interval_come_from_the_tables(app, kind, haircut, months):
    assert policy.haircut_of(kind)[0] == Decimal(haircut)
    assert policy.revaluation_months(kind) == months


@pytest.mark.parametrize(
    "value",
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
        "=SUM(A1:A9)",
        "１０００",
        "1_000",
        True,
        [1],
    ],
)
def test_hostile_values_are_refused_naming_the_field(deployed, people, value):
    customer, live = borrower(people.officer)
    errors = refused(lambda: record(people.officer, customer, live, appraised_value=value))
    assert set(errors) == {"appraised_value"}
    assert set(
        refused(lambda: record(people.officer, customer, live, share=value if value != "0" else "-1"))
    ) == {f"share_{live.id}"}


def test_each_bad_field_is_named_and_nothing_is_stored(deployed, people):
    customer, live = borrower(people.officer)
    errors = refused(
        lambda: register.record(
            people.officer,
            customer.id,
            {
                "owner_name": "",
                "kind": "gold",
                "description": "x" * 501,
                "appraised_value": "",
                "appraised_on": (local_today() + timedelta(days=1)).isoformat(),
                "appraiser": "评估\x00公司",
                "insured_amount": "5000000",
                f"share_{live.id + 99}": "10",
            },
        )
    )
    assert set(errors) == {
        "owner_name",
        "kind",
        "description",
        "appraised_value",
        "appraised_on",
        "appraiser",
        "insurer",
        "insurance_expires_on",
        f"share_{live.id + 99}",
    }
    assert db.session.scalar(select(CollateralLink.id)) is None


def test_the_shares_of_one_item_sum_to_at_most_a_hundred(deployed, people):
    customer, first = borrower(people.officer)
    second = facility(customer, 5_000_000)
    errors = refused(lambda: record(people.officer, customer, first, "60", **{f"share_{second.id}": "50"}))
    assert "sum to at most 100%" in errors["links"] and "110%" in errors["links"]
    item = record(people.officer, customer, first, "60", **{f"share_{second.id}": "40"})
    assert item.shares_total == Decimal(100)
    api = {"links": [{"facility_id": first.id, "share": 70}, {"facility_id": second.id, "share": "30.01"}]}
    assert "links" in refused(lambda: register.set_links(people.officer, item.id, api))
    twice = {"links": [{"facility_id": first.id, "share": 10}, {"facility_id": first.id, "share": 10}]}
    assert set(refused(lambda: register.set_links(people.officer, item.id, twice))) == {
        "links[1].facility_id"
    }
    register.set_links(people.officer, item.id, {"links": [{"facility_id": second.id, "share": 100}]})
    db.session.expire_all()
    assert [(link.facility_id, link.share) for link in register.get(people.officer, item.id).links] == [
        (second.id, Decimal(100))
    ]


def test_only_a_live_facility_of_the_borrower_is_secured(deployed, people):
    customer, _live = borrower(people.officer)
    ended = facility(customer, 1_000_000, status="renewed")
    other, elsewhere = borrower(people.officer, 2)
    assert f"share_{ended.id}" in refused(lambda: record(people.officer, customer, ended))
    assert f"share_{elsewhere.id}" in refused(lambda: record(people.officer, customer, elsewhere))


def test_ltv_and_coverage_per_facility(deployed, people):
    customer, live = borrower(people.officer, limit=10_000_000)
    record(people.officer, customer, live, "50")  # 20m less 30% = 14m; half of it: 7m
    record(people.officer, customer, live, "100", kind="deposit", appraised_value="1000000")  # 950k
    unsecured = facility(customer, 2_000_000)
    seen = coverage.of_customer(customer.id)
    cover = next(c for c in seen.covers if c.facility.id == live.id)
    assert cover.secured == Decimal("7950000.00")
    assert cover.coverage == Decimal("0.795") and cover.ltv.quantize(Decimal("0.0001")) == Decimal("1.2579")
    assert cover.short and seen.shortfalls == [cover]
    bare = next(c for c in seen.covers if c.facility.id == unsecured.id)
    assert (bare.secured, bare.ltv, bare.short) == (Decimal(0), None, False)  # unsecured is not short


def test_insurance_expiring_is_marked_and_renewed(deployed, people):
    customer, live = borrower(people.officer)
    soon = (local_today() + timedelta(days=20)).isoformat()
    item = record(
        people.officer,
        customer,
        live,
        insured_amount="18000000",
        insurer="中国人保财险",
        insurance_expires_on=soon,
    )
    assert coverage.insurance_state(item, local_today()) == "expiring"
    register.set_insurance(
        people.officer,
        item.id,
        {"insured_amount": "18000000", "insurer": "中国人保财险", "insurance_expires_on": "2099-12-31"},
    )
    assert coverage.insurance_state(item, local_today()) == "insured"
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.event_type == "collateral.insurance_changed")
    )


def test_who_may_write(deployed, people):
    customer, live = borrower(people.officer)
    outsider, _ = users.create_user("approver_bj", "approver", PASSWORD, authority_level=1, branch="beijing")
    for user in (people.officer2, people.compliance, people.designer, people.admin, outsider):
        with pytest.raises(NotAuthorized):
            record(user, customer, live)
    assert record(people.approver1, customer, live).id  # the branch's approver manages it
    item = record(people.risk, customer, live, "0.01")  # a risk manager manages every branch
    assert register.get(people.compliance, item.id) == item  # compliance reads
    with pytest.raises(NotAuthorized):
        register.release(people.officer2, item.id)


def test_a_released_item_secures_nothing_and_is_released_once(deployed, people):
    customer, live = borrower(people.officer)
    item = record(people.officer, customer, live)
    with pytest.raises(NotAuthorized):  # 解押 is never the officer's alone: its four eyes hold
        register.release(people.officer, item.id)
    register.release(people.risk, item.id)
    assert item.status == "released" and item.released_by_id == people.risk.id
    assert coverage.of_customer(customer.id).covers[0].secured == 0
    with pytest.raises(Conflict):
        register.release(people.risk, item.id)
    with pytest.raises(Conflict):
        register.set_links(people.officer, item.id, {"links": []})
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "collateral.released"))


def test_one_title_certificate_is_recorded_once_while_active(deployed, people):
    customer, live = borrower(people.officer)
    first = record(people.officer, customer, live, "50", certificate_no="沪(2024)浦东新区不动产权第0012345号")
    errors = refused(
        lambda: record(
            people.officer, customer, live, "50", certificate_no="沪(2024)浦东新区不动产权第0012345号"
        )
    )
    assert set(errors) == {"certificate_no"} and str(first.id) in errors["certificate_no"]
    register.release(people.risk, first.id)
    assert record(
        people.officer, customer, live, "50", certificate_no="沪(2024)浦东新区不动产权第0012345号"
    ).id
