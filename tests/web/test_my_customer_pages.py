"""My customers and transfers in the browser and the API: the list with its filters and totals, the bulk
transfer from it (a refusal is a 422 or 403 with the message, nothing changed), the transfer of one customer
from its page, the officer's section of the customer's page, the notices, and the JSON API."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Customer, CustomerOfficerChange, Notification
from app.services.admin import users
from tests.factories import PASSWORD, book_customer, facility

REASON = "团队调整，客户移交对公二部"


@pytest.fixture
def branch(deployed, people):
    """Shanghai: two officers of two teams and the branch's approver; one officer of Beijing."""
    made = {
        name: users.create_user(name, role, PASSWORD, branch=where, team=team, authority_level=level)[0]
        for name, role, where, team, level in [
            ("sh1", "officer", "shanghai", "对公一部", None),
            ("sh2", "officer", "shanghai", "对公二部", None),
            ("bj1", "officer", "beijing", "对公一部", None),
            ("sh_head", "approver", "shanghai", None, 1),
        ]
    }
    customers = [
        book_customer(made["sh1"], i, name=f"上海客户{i}有限公司", grade="A", loan_class="normal")
        for i in (1, 2, 3)
    ]
    facility(customers[0], 3_000_000)
    customers.append(book_customer(made["bj1"], 4, name="北京客户有限公司"))
    return made, customers


def officer_of(customer_id: int) -> str:
    db.session.expire_all()
    customer = db.session.get(Customer, customer_id)
    return users.get_user(customer.officer_id).username


def test_an_officer_sees_their_book_and_a_manager_their_branch_with_the_officers(signed_in, branch):
    _made, customers = branch
    page = signed_in("sh1").get("/customers/mine")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "上海客户1有限公司" in text and "北京客户有限公司" not in text and "3 customers" in text
    assert "3,000,000.00" in text and 'name="customer_ids"' not in text  # an officer transfers nothing
    text = signed_in("sh_head").get("/customers/mine").get_data(as_text=True)
    assert "My branch's customers" in text and "北京客户有限公司" not in text
    assert 'name="customer_ids"' in text and "对公二部" in text and 'value="sh2"' in text
    assert 'value="bj1"' not in text  # another branch's officer is no target of the branch's approver
    text = signed_in("risk").get("/customers/mine").get_data(as_text=True)
    assert "The bank's customers" in text and "北京客户有限公司" in text and 'value="bj1"' in text
    assert signed_in("compliance").get("/customers/mine").status_code == 403


def test_a_filter_that_cannot_be_read_is_a_422_naming_it(signed_in, branch):
    response = signed_in("sh_head").get("/customers/mine?grade=ZZ&review_days=-3&industry=construction")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'data-field="grade"' in text and 'data-field="review_days"' in text and "No customers." in text


def test_a_manager_transfers_two_customers_in_bulk_and_sees_the_new_officer(signed_in, branch):
    made, customers = branch
    head = signed_in("sh_head")
    back = urlencode({"grade": "A"})
    response = head.post(
        "/customers/transfer",
        data={
            "customer_ids": [customers[0].id, customers[1].id],
            "officer": "sh2",
            "reason": REASON,
            "back": back,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/customers/mine?grade=A")
    assert [officer_of(c.id) for c in customers] == ["sh2", "sh2", "sh1", "bj1"]
    text = head.get("/customers/mine?grade=A").get_data(as_text=True)
    assert "2 customer(s) transferred to sh2" in text
    page = head.get(f"/customers/{customers[0].id}").get_data(as_text=True)
    assert 'id="officer"' in page and REASON in page and 'id="transfer-customer"' in page
    assert 'id="transfer-customer"' not in signed_in("sh2").get(f"/customers/{customers[0].id}").text
    sh2 = signed_in("sh2")
    note = db.session.scalar(select(Notification).where(Notification.user_id == made["sh2"].id))
    assert note.kind == "transfer_in"
    opened = sh2.post(f"/notifications/{note.id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/customers/mine")
    assert "上海客户1有限公司" in sh2.get("/notifications").get_data(as_text=True)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"officer": "sh2", "reason": ""}, "reason"),
        ({"officer": "", "reason": REASON}, "officer"),
        ({"officer": "bj1", "reason": REASON}, "officer"),
        ({"officer": "sh1", "reason": REASON}, "officer"),  # already theirs
    ],
)
def test_a_refused_bulk_transfer_is_a_422_with_the_message_and_keeps_what_was_typed(
    signed_in, branch, form, field
):
    _made, customers = branch
    response = signed_in("sh_head").post(
        "/customers/transfer", data={"customer_ids": [customers[0].id, customers[2].id], "back": "", **form}
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "No customer was transferred." in text and f'data-field="{field}"' in text
    assert (
        f'id="pick-{customers[0].id}" checked' in text and f'id="pick-{customers[1].id}" checked' not in text
    )
    assert [officer_of(c.id) for c in customers[:3]] == ["sh1", "sh1", "sh1"]
    assert db.session.scalar(select(func.count()).select_from(CustomerOfficerChange)) == 0


def test_a_bulk_transfer_with_a_customer_of_another_branch_is_refused_naming_it(signed_in, branch):
    _made, customers = branch
    response = signed_in("sh_head").post(
        "/customers/transfer",
        data={"customer_ids": [customers[0].id, customers[3].id], "officer": "sh2", "reason": REASON},
    )
    assert response.status_code == 403 and "北京客户有限公司" in response.get_data(as_text=True)
    assert officer_of(customers[0].id) == "sh1"
    for who in ("sh1", "compliance", "admin"):
        assert (
            signed_in(who)
            .post(
                "/customers/transfer",
                data={"customer_ids": [customers[0].id], "officer": "sh2", "reason": REASON},
            )
            .status_code
            == 403
        )


def test_one_customer_is_transferred_from_its_page(signed_in, branch):
    _made, customers = branch
    head = signed_in("sh_head")
    form = head.get(f"/customers/{customers[2].id}/officer")
    assert form.status_code == 200 and 'value="sh2"' in form.text and 'value="sh1"' not in form.text
    refused = head.post(f"/customers/{customers[2].id}/officer", data={"officer": "sh2", "reason": " "})
    assert refused.status_code == 422 and 'data-field="reason"' in refused.text
    done = head.post(
        f"/customers/{customers[2].id}/officer", data={"officer": "sh2", "reason": "第一行\n第二行"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/customers/{customers[2].id}#officer"
    )
    assert officer_of(customers[2].id) == "sh2"
    assert head.get(f"/customers/{customers[3].id}/officer").status_code == 403  # Beijing's
    assert signed_in("sh1").get(f"/customers/{customers[2].id}/officer").status_code == 403


@pytest.fixture
def api(client, branch):
    class Caller:
        def __init__(self, username: str) -> None:
            self.headers = {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token(username)}"}

        def get(self, path: str):
            return client.get(f"/api/v1{path}", headers=self.headers)

        def post(self, path: str, body=None):
            return client.post(f"/api/v1{path}", json=body, headers=self.headers)

    return Caller


def test_the_api_lists_my_customers_and_transfers_one(api, branch):
    _made, customers = branch
    mine = api("sh1").get("/customers/mine?sort=limit")
    assert mine.status_code == 200
    body = mine.get_json()
    assert (body["scope"], body["total"], body["live_limit"]) == ("own", 3, "3000000.00")
    assert body["customers"][0]["name"] == "上海客户1有限公司" and body["customers"][0]["officer"] == "sh1"
    assert body["by_class"] == [{"loan_class": "normal", "customers": 3, "live_limit": "3000000.00"}]
    bad = api("sh1").get("/customers/mine?maturity_days=x")
    assert bad.status_code == 422 and "maturity_days" in bad.get_json()["errors"]
    assert api("compliance").get("/customers/mine").status_code == 403
    done = api("sh_head").post(f"/customers/{customers[1].id}/officer", {"officer": "sh2", "reason": REASON})
    assert done.status_code == 200, done.get_json()
    assert done.get_json() == {
        "customer_id": customers[1].id,
        "officer": "sh2",
        "officer_before": "sh1",
        "tasks_moved": 0,
    }
    again = api("sh_head").post(f"/customers/{customers[1].id}/officer", {"officer": "sh2", "reason": REASON})
    assert again.status_code == 422 and "officer" in again.get_json()["errors"]
    assert (
        api("sh_head")
        .post(f"/customers/{customers[3].id}/officer", {"officer": "sh2", "reason": REASON})
        .status_code
        == 403
    )
    assert (
        api("sh1")
        .post(f"/customers/{customers[0].id}/officer", {"officer": "sh2", "reason": REASON})
        .status_code
        == 403
    )
    assert (
        api("risk").post("/customers/999999/officer", {"officer": "sh2", "reason": REASON}).status_code == 404
    )
    assert (
        api("risk").post(f"/customers/{customers[0].id}/officer", ["not", "an", "object"]).status_code == 422
    )


def test_the_openapi_document_describes_both_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/customers/mine"] and "post" in paths["/customers/{id}/officer"]
    assert {p["name"] for p in paths["/customers/mine"]["get"]["parameters"]} >= {
        "grade",
        "loan_class",
        "industry",
        "warning",
        "review_days",
        "maturity_days",
        "officer",
        "team",
        "sort",
    }
