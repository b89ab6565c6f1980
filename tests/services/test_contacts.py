"""A customer's contact people: checked field by field, the identity number masked wherever it is shown or
audited, one primary contact, removal kept, and written only by the customer's officer or a risk manager."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.models import AuditEvent, Customer, CustomerContact
from app.services.admin.demo import demo_uscc
from app.services.customers.contacts import contacts

RESIDENT_ID = "11010519491231002X"
GOOD = {
    "name": "陈建国",
    "role": "legal_representative",
    "phone": "138 1234 5678",
    "email": "chen@hdjx.example.cn",
    "id_type": "resident_id",
    "id_number": RESIDENT_ID.lower(),
    "is_primary": True,
}


def customer_of(officer, index: int = 1) -> Customer:
    customer = Customer(
        name=f"华东精密机械{index}有限公司",
        uscc=demo_uscc(index),
        industry="manufacturing",
        size="medium",
        credit_record="clean",
        officer_id=officer.id,
    )
    db.session.add(customer)
    db.session.commit()
    return customer


def refused(call) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value.errors


def test_a_contact_is_stored_as_read_and_audited_with_its_id_number_masked(people):
    customer = customer_of(people.officer)
    contact = contacts.add(people.officer, customer.id, GOOD)
    assert (contact.phone, contact.id_number, contact.is_primary) == ("13812345678", RESIDENT_ID, True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "customer.contact_added"))
    assert event.customer_id == customer.id
    assert event.payload["after"]["id_number"] == "1101**********002X"
    assert RESIDENT_ID not in str(event.payload)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "陈\x00建国"}, "name"),
        ({"name": "陈\n建国"}, "name"),
        ({"role": "boss"}, "role"),
        ({"phone": "12345"}, "phone"),
        ({"email": "chen@"}, "email"),
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"id_type": "", "id_number": RESIDENT_ID}, "id_type"),
        ({"is_primary": "maybe"}, "is_primary"),
        ({"name": ["a list"]}, "name"),
        ({"phone": 13812345678}, "phone"),
    ],
)
def test_each_bad_field_is_named(people, changes, field):
    customer = customer_of(people.officer)
    assert field in refused(lambda: contacts.add(people.officer, customer.id, {**GOOD, **changes}))
    assert db.session.scalar(select(CustomerContact.id)) is None


def test_one_primary_contact_and_an_edit_audits_before_and_after(people):
    customer = customer_of(people.officer)
    first = contacts.add(people.officer, customer.id, GOOD)
    second = contacts.add(
        people.risk, customer.id, {"name": "李梅", "role": "financial_controller", "is_primary": "yes"}
    )
    assert [c.name for c in contacts.current(customer.id)] == ["李梅", "陈建国"]
    assert db.session.get(CustomerContact, first.id).is_primary is False
    contacts.edit(
        people.officer,
        customer.id,
        second.id,
        {"name": "李梅", "role": "financial_controller", "phone": "021-62345678"},
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "customer.contact_changed"))
    assert event.payload["before"] == {"phone": None, "is_primary": True, "id_number": ""}
    assert event.payload["after"]["phone"] == "021-62345678"


def test_a_removed_contact_is_kept_but_off_the_list(people):
    customer = customer_of(people.officer)
    contact = contacts.add(people.officer, customer.id, GOOD)
    contacts.remove(people.officer, customer.id, contact.id)
    assert contacts.current(customer.id) == []
    kept = db.session.get(CustomerContact, contact.id)
    assert kept.removed_at is not None and kept.removed_by_id == people.officer.id
    with pytest.raises(NotFound):
        contacts.edit(people.officer, customer.id, contact.id, GOOD)


def test_only_the_customers_officer_and_risk_managers_write(people):
    customer = customer_of(people.officer)
    for user in (people.officer2, people.compliance, people.approver1, people.admin, people.designer):
        with pytest.raises(NotAuthorized):
            contacts.add(user, customer.id, GOOD)
    contact = contacts.add(people.risk, customer.id, GOOD)
    for user in (people.officer2, people.compliance):
        with pytest.raises(NotAuthorized):
            contacts.edit(user, customer.id, contact.id, GOOD)
        with pytest.raises(NotAuthorized):
            contacts.remove(user, customer.id, contact.id)
    assert [c.id for c in contacts.listing(people.compliance, customer.id)] == [contact.id]  # reads
    with pytest.raises(NotAuthorized):
        contacts.listing(people.designer, customer.id)


def test_another_customers_contact_is_not_found(people):
    mine, other = customer_of(people.officer, 1), customer_of(people.officer, 2)
    contact = contacts.add(people.officer, other.id, GOOD)
    with pytest.raises(NotFound):
        contacts.get(people.officer, mine.id, contact.id)
