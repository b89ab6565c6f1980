"""The customer's contacts and contact log on its page, their forms (a bad field is a 422 naming it, never a
500), the follow-ups on the officer's "My tasks", the risk managers' search, and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import ContactLogEntry, Notification
from app.services.admin import users
from app.services.customers.contacts import contact_log, contacts, follow_ups
from tests.services.test_contacts import GOOD, RESIDENT_ID, customer_of

TODAY = local_today()
MASKED = "1101**********002X"


@pytest.fixture
def customer(people):
    return customer_of(people.officer)


def test_the_page_shows_contacts_masked_to_everyone_and_whole_only_in_the_edit_form(
    signed_in, people, customer
):
    contact = contacts.add(people.officer, customer.id, GOOD)
    officer, compliance = signed_in("officer"), signed_in("compliance")
    for client in (officer, compliance):
        page = client.get(f"/customers/{customer.id}").get_data(as_text=True)
        assert MASKED in page and RESIDENT_ID not in page and "陈建国" in page
    assert (
        f"/customers/{customer.id}/contacts/{contact.id}/edit"
        in officer.get(f"/customers/{customer.id}").text
    )
    assert "/contacts/" not in compliance.get(f"/customers/{customer.id}").text  # no add, edit or remove
    assert RESIDENT_ID in officer.get(f"/customers/{customer.id}/contacts/{contact.id}/edit").text
    assert compliance.get(f"/customers/{customer.id}/contacts/{contact.id}/edit").status_code == 403
    assert (
        signed_in("officer2").post(f"/customers/{customer.id}/contacts/{contact.id}/remove").status_code
        == 403
    )


def test_a_contact_is_added_edited_and_removed_through_the_forms(signed_in, customer):
    officer = signed_in("officer")
    response = officer.post(f"/customers/{customer.id}/contacts/new", data={**GOOD, "is_primary": "yes"})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/customers/{customer.id}#contacts"
    )
    [contact] = contacts.current(customer.id)
    response = officer.post(
        f"/customers/{customer.id}/contacts/{contact.id}/edit", data={**GOOD, "phone": "010-62345678-801"}
    )
    assert response.status_code == 302
    assert "010-62345678-801" in officer.get(f"/customers/{customer.id}").text
    assert officer.post(f"/customers/{customer.id}/contacts/{contact.id}/remove").status_code == 302
    assert contacts.current(customer.id) == []


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("id_number", "110105194912310021", "check character"),
        ("phone", "12345", "mobile"),
        ("name", "", "required"),
        ("name", "a\x00b", "NUL"),
        ("role", "boss", "one of"),
    ],
)
def test_a_bad_contact_is_a_422_naming_the_field(signed_in, customer, field, value, says):
    response = signed_in("officer").post(
        f"/customers/{customer.id}/contacts/new", data={**GOOD, field: value}
    )
    assert response.status_code == 422
    assert says in response.get_data(as_text=True) and field in response.get_data(as_text=True)
    assert contacts.current(customer.id) == []


def test_a_log_entry_keeps_its_lines_and_a_bad_one_is_a_422(signed_in, customer):
    officer = signed_in("officer")
    url = f"/customers/{customer.id}/contact-log/new"
    assert officer.get(url).status_code == 200
    good = {
        "contacted_on": TODAY.isoformat(),
        "channel": "meeting",
        "contact_name": "王会计",
        "summary": "第一行\r\n第二行",
        "follow_up_on": (TODAY + timedelta(days=7)).isoformat(),
    }
    response = officer.post(url, data=good)
    assert response.status_code == 302 and response.headers["Location"].endswith("#contact-log")
    page = officer.get(f"/customers/{customer.id}").text
    assert "第一行\r\n第二行" in page and f"Follow up on {(TODAY + timedelta(days=7)).isoformat()}" in page
    for changes in (
        {"summary": "bell\x07"},
        {"contact_name": "two\nlines"},
        {"contacted_on": (TODAY + timedelta(days=1)).isoformat()},
        {"channel": "fax"},
    ):
        response = officer.post(url, data={**good, **changes})
        assert response.status_code == 422, changes
        assert next(iter(changes)) in response.get_data(as_text=True)
    assert db.session.scalar(select(ContactLogEntry.id).where(ContactLogEntry.id > 1)) is None
    assert signed_in("compliance").post(url, data=good).status_code == 403


def test_the_customers_log_is_searched_on_its_page(signed_in, people, customer):
    contact_log.add(
        people.officer,
        customer.id,
        {
            "contacted_on": TODAY.isoformat(),
            "channel": "phone",
            "contact_name": "王会计",
            "summary": "讨论续贷安排",
        },
    )
    contact_log.add(
        people.officer,
        customer.id,
        {
            "contacted_on": TODAY.isoformat(),
            "channel": "email",
            "contact_name": "李梅",
            "summary": "寄送对账单",
        },
    )
    compliance = signed_in("compliance")
    page = compliance.get(f"/customers/{customer.id}?log_q=续贷").text
    assert "讨论续贷安排" in page and "寄送对账单" not in page
    assert compliance.get(f"/customers/{customer.id}?log_q=a%01b").status_code == 422


def test_a_follow_up_due_is_on_my_tasks_with_done(signed_in, people, customer):
    entry = contact_log.add(
        people.officer,
        customer.id,
        {
            "contacted_on": TODAY.isoformat(),
            "channel": "visit",
            "contact_name": "王会计",
            "summary": "约定下周补交报表",
            "follow_up_on": TODAY.isoformat(),
        },
    )
    officer = signed_in("officer")
    page = officer.get("/tasks").text
    assert "Follow-ups due" in page and "约定下周补交报表" in page and customer.name in page
    assert "Follow-ups due" not in signed_in("officer2").get("/tasks").text
    response = officer.post(f"/contact-log/{entry.id}/done", data={"next": "/tasks"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/tasks")
    assert "Follow-ups due" not in officer.get("/tasks").text
    assert "done" in officer.get(f"/customers/{customer.id}").text


def test_the_follow_up_notice_opens_the_customers_page(signed_in, people, customer):
    contact_log.add(
        people.officer,
        customer.id,
        {
            "contacted_on": TODAY.isoformat(),
            "channel": "visit",
            "contact_name": "王会计",
            "summary": "回访",
            "follow_up_on": TODAY.isoformat(),
        },
    )
    follow_ups.notify_due()
    note = db.session.scalar(select(Notification))
    officer = signed_in("officer")
    assert "Follow-up due" in officer.get("/notifications").text
    response = officer.post(f"/notifications/{note.id}/open")
    assert response.headers["Location"].endswith(f"/customers/{customer.id}#contact-log")


def test_risk_managers_search_the_banks_log(signed_in, people, customer):
    contact_log.add(
        people.officer,
        customer.id,
        {
            "contacted_on": TODAY.isoformat(),
            "channel": "visit",
            "contact_name": "王会计",
            "summary": "讨论续贷安排",
        },
    )
    risk = signed_in("risk")
    page = risk.get(f"/contact-log?customer={customer.uscc}&q=续贷").text
    assert "讨论续贷安排" in page and customer.name in page
    assert "讨论续贷安排" not in risk.get("/contact-log?q=担保").text
    assert risk.get("/contact-log?q=" + "x" * 101).status_code == 422
    assert signed_in("officer").get("/contact-log").status_code == 403


def api_headers(username: str) -> dict:
    return {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token(username)}"}


def test_the_api_lists_and_adds_contacts_and_log_entries(client, people, customer):
    officer = api_headers("officer")
    response = client.post(f"/api/v1/customers/{customer.id}/contacts", json=GOOD, headers=officer)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id_number_masked"] == MASKED and "id_number" not in response.get_json()
    listed = client.get(
        f"/api/v1/customers/{customer.id}/contacts", headers=api_headers("compliance")
    ).get_json()
    assert [c["name"] for c in listed["contacts"]] == ["陈建国"]
    body = {
        "contacted_on": TODAY.isoformat(),
        "channel": "phone",
        "contact_id": listed["contacts"][0]["id"],
        "summary": "电话确认\n下周走访",
        "follow_up_on": TODAY.isoformat(),
    }
    response = client.post(f"/api/v1/customers/{customer.id}/contact-log", json=body, headers=officer)
    assert response.status_code == 201 and response.get_json()["contact_name"] == "陈建国"
    log = client.get(f"/api/v1/customers/{customer.id}/contact-log?q=走访", headers=officer).get_json()
    assert [e["summary"] for e in log["entries"]] == ["电话确认\n下周走访"]


@pytest.mark.parametrize(
    ("path", "body", "field", "status"),
    [
        ("contacts", {**GOOD, "name": "a\x00b"}, "name", 422),
        ("contacts", {**GOOD, "name": "x" * 20_000}, "name", 422),
        ("contacts", {**GOOD, "id_number": "110105194912310021"}, "id_number", 422),
        (
            "contact-log",
            {"contacted_on": "2026-01-01", "channel": "phone", "contact_name": "王", "summary": "a\x1bb"},
            "summary",
            422,
        ),
        (
            "contact-log",
            {"contacted_on": 2**64, "channel": "phone", "contact_name": "王", "summary": "s"},
            "contacted_on",
            422,
        ),
        ("contacts", [], "body", 422),
    ],
)
def test_hostile_api_input_is_a_4xx_naming_the_field(client, people, customer, path, body, field, status):
    response = client.post(
        f"/api/v1/customers/{customer.id}/{path}", json=body, headers=api_headers("officer")
    )
    assert response.status_code == status
    assert field in response.get_json()["errors"]


def test_deep_json_and_a_refused_role_over_the_api(client, people, customer):
    deep = "[" * 5000 + "]" * 5000
    response = client.post(
        f"/api/v1/customers/{customer.id}/contacts",
        data=deep,
        content_type="application/json",
        headers=api_headers("officer"),
    )
    assert 400 <= response.status_code < 500
    response = client.post(
        f"/api/v1/customers/{customer.id}/contacts", json=GOOD, headers=api_headers("compliance")
    )
    assert response.status_code == 403
    assert (
        client.get(f"/api/v1/customers/{customer.id}/contacts", headers=api_headers("designer")).status_code
        == 403
    )
