"""Facilities that end, in the browser and the API: the maturing list (filters, scoping, the propose button,
403 for designers), a renewal proposed from it landing on its prefilled intake, the customer page's facilities
with dates and renewal, the intake's pick of an existing customer, and ``GET /api/v1/customers/{id}/facilities``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Facility, HumanTask
from app.services.admin import users
from app.services.cases import cases
from app.services.customers.facilities import renewals
from tests.factories import approved_case, intake, open_task


def maturing(case, days: int) -> Facility:
    facility = db.session.scalar(select(Facility).where(Facility.instance_id == case.id))
    facility.matures_on = local_today() + timedelta(days=days)
    db.session.commit()
    return facility


@pytest.fixture
def soon(deployed, people):
    """The officer's customer's facility maturing in 20 days, and another in 70."""
    return maturing(approved_case(people, 1, limit=3_000_000), 20), maturing(approved_case(people, 2), 70)


def test_the_list_shows_the_officers_facilities_with_bands_and_a_propose_button(signed_in, soon):
    first, second = soon
    page = signed_in("officer").get("/facilities/maturing").text
    assert first.customer.name in page and first.instance.reference in page and "3,000,000.00" in page
    assert 'data-band="within_30"' in page and 'data-band="within_90"' in page
    assert page.count('class="propose-renewal"') == 2 and 'id="maturing-link"' in page
    narrowed = signed_in("officer").get("/facilities/maturing?within=30").text
    assert f'data-facility="{first.id}"' in narrowed and f'data-facility="{second.id}"' not in narrowed
    assert 'data-band="within_60"' not in narrowed
    assert signed_in("officer2").get("/facilities/maturing").text.count('data-facility="') == 0  # not theirs


def test_a_bad_filter_is_a_422_naming_it(signed_in, soon):
    response = signed_in("officer").get("/facilities/maturing?within=45")
    assert response.status_code == 422 and "within" in response.text
    assert signed_in("officer").get("/facilities/maturing?renewal=maybe").status_code == 422


def test_the_bank_reads_the_list_without_buttons_and_designers_not_at_all(signed_in, soon):
    for user in ("risk", "approver1", "compliance", "admin"):
        page = signed_in(user).get("/facilities/maturing")
        assert page.status_code == 200 and f'data-facility="{soon[0].id}"' in page.text
        assert 'class="propose-renewal"' not in page.text
    designer = signed_in("designer")
    assert designer.get("/facilities/maturing").status_code == 403
    assert 'id="maturing-link"' not in designer.get("/tasks").text


def test_proposing_a_renewal_lands_on_its_prefilled_intake(signed_in, soon, people):
    first, _second = soon
    officer = signed_in("officer")
    response = officer.post(f"/facilities/{first.id}/renew", data={"next": "/facilities/maturing"})
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    page = officer.get(response.headers["Location"]).text
    assert first.customer.uscc in page and first.instance.reference in page and 'id="renews"' in page
    assert 'value="3,000,000.00"' in page  # the amount asked is the current limit
    listed = officer.get("/facilities/maturing").text
    assert "Proposed" in listed and 'class="propose-renewal"' in listed  # the other one still offers it
    again = officer.post(f"/facilities/{first.id}/renew")  # proposed already: named and opened
    assert again.status_code == 302 and "/cases/" in again.headers["Location"]
    assert "already has its renewal" in officer.get(again.headers["Location"]).text


def test_only_the_customers_officer_may_propose(signed_in, soon):
    for user in ("officer2", "risk", "admin", "designer"):
        assert signed_in(user).post(f"/facilities/{soon[0].id}/renew").status_code == 403
    assert signed_in("officer").post("/facilities/999999/renew").status_code == 404


def test_the_customer_page_shows_dates_and_the_renewal(signed_in, soon, people):
    first, _second = soon
    renewal = renewals.propose(people.officer, first.id)
    page = signed_in("risk").get(f"/customers/{first.customer_id}").text
    assert (
        'id="facilities"' in page
        and first.matures_on.isoformat() in page
        and first.start_on.isoformat() in page
    )
    assert renewal.reference in page and "Proposed" in page and 'class="propose-renewal"' not in page
    case_page = signed_in("risk").get(f"/cases/{renewal.id}").text
    assert 'id="renews"' in case_page and first.instance.reference in case_page
    other = signed_in("officer").get(f"/customers/{soon[1].customer_id}").text
    assert 'class="propose-renewal"' in other


def test_intake_picks_an_existing_customer_and_fills_in_what_the_bank_knows(signed_in, soon, people):
    known = soon[0].customer
    case = cases.start_case(people.officer, "credit_application")
    task = open_task(case.id, "application_intake")
    officer = signed_in("officer")
    page = officer.get(f"/tasks/{task.id}").text
    assert 'id="customer-pick"' in page and "htmx.min.js" in page
    hits = officer.get(f"/tasks/{task.id}/customers?customer_q={known.uscc[-6:]}").text
    assert known.name in hits and f"/tasks/{task.id}?customer={known.id}" in hits
    assert "No customer found" in officer.get(f"/tasks/{task.id}/customers?customer_q=nobody-at-all").text
    assert known.name in officer.get(f"/tasks/{task.id}?customer_q={known.name[:4]}").text  # without htmx
    filled = officer.get(f"/tasks/{task.id}?customer={known.id}").text
    assert (
        f'value="{known.uscc}"' in filled
        and f'value="{known.name}"' in filled
        and 'id="customer-known"' in filled
    )
    assert "2025" in filled  # the statements on file, offered at the statements step
    assert officer.get(f"/tasks/{task.id}?customer=999999").status_code == 404
    assert signed_in("approver1").get(f"/tasks/{task.id}/customers?customer_q=华东").status_code == 403


def test_the_statements_step_offers_the_known_customers_statements(signed_in, soon, people):
    known = soon[0].customer
    case = cases.start_case(people.officer, "credit_application")
    from app.services.cases import tasks

    tasks.complete(
        people.officer, open_task(case.id, "application_intake").id, intake(1)
    )  # the same credit code
    statements = open_task(case.id, "financial_statements")
    page = signed_in("officer").get(f"/tasks/{statements.id}").text
    total_assets = known.statements[-1].items["total_assets"]
    assert str(total_assets) in page.replace(",", "")
    assert (
        db.session.scalar(
            select(HumanTask.id).where(HumanTask.instance_id == case.id, HumanTask.state == "ready")
        )
        == statements.id
    )


def test_the_api_lists_a_customers_facilities_with_their_dates(client, soon, people):
    first, _second = soon
    renewal = renewals.propose(people.officer, first.id)

    def get(username: str, customer_id: int):
        return client.get(
            f"/api/v1/customers/{customer_id}/facilities",
            headers={"Authorization": f"Bearer {users.issue_token(username)}"},
        )

    [facility] = get("compliance", first.customer_id).get_json()["facilities"]
    assert (
        facility["start_on"] == first.start_on.isoformat()
        and facility["matures_on"] == first.matures_on.isoformat()
    )
    assert (
        facility["days_left"] == 20
        and facility["status"] == "active"
        and facility["limit_amount"] == "3000000.00"
    )
    assert facility["renewal"] == {"state": "proposed", "case_id": renewal.id, "reference": renewal.reference}
    assert get("designer", first.customer_id).status_code == 403
    assert get("officer", 999999).status_code == 404
    path = client.get("/api/v1/openapi.json").get_json()["paths"]["/customers/{id}/facilities"]
    assert path["get"]["responses"]["200"]["content"]["application/json"]["schema"]["properties"][
        "facilities"
    ]["items"] == {"$ref": "#/components/schemas/Facility"}
