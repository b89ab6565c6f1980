"""Collateral on the customer's page (押品), the form that records an item (a bad field a 422 naming it, nothing
stored), the item's page (its valuations, the facilities it secures edited, its insurance, its release, a
revaluation started), the book's list, the revaluation's task page, refusals (roles, CSRF) and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import Collateral, ProcessInstance
from app.services.admin import users
from app.services.customers.collateral import revaluation
from tests.factories import facility
from tests.services.collateral_data import borrower, fields, record, report
from tests.workflows.test_warning_escalation import ready


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Collateral))


def test_the_customer_page_shows_items_ltv_shortfall_insurance_and_revaluation(deployed, signed_in, people):
    customer, live = borrower(people.officer, limit=10_000_000)
    soon = (local_today() + timedelta(days=10)).isoformat()
    record(
        people.officer,
        customer,
        live,
        "50",
        insured_amount="18000000",
        insurer="中国人保财险",
        insurance_expires_on=soon,
    )
    old = (local_today() - timedelta(days=400)).isoformat()
    record(people.officer, customer, None, kind="equipment", description="数控机床十台", appraised_on=old)
    page = signed_in("compliance").get(f"/customers/{customer.id}").text
    section = page[page.index('<section class="card" id="collateral">') :]
    section = section[: section.index("</section>")]
    assert "浦东新区张江路 88 号厂房及土地使用权" in section and "14,000,000.00" in section
    assert 'class="short"' in section and "shortfall" in section and "142.86%" in section  # 10m over 7m
    assert "insurance expiring within 30 days" in section and soon in section
    assert "revaluation-due" in section  # the machines, valued 400 days ago, half-yearly
    assert "/collateral/new" not in page  # compliance reads only
    assert (
        f"/customers/{customer.id}/collateral/new"
        in signed_in("officer").get(f"/customers/{customer.id}").text
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("appraised_value", "NaN"),
        ("appraised_value", "Infinity"),
        ("appraised_value", "99999999999999999999"),
        ("appraised_value", "-1"),
        ("appraised_value", "=1+1"),
        ("appraised_value", "1\x00"),
        ("description", "厂房\x00"),
        ("appraised_on", "2026-02-30"),
        ("kind", "gold"),
    ],
)
def test_the_form_refuses_bad_input_naming_the_field_and_stores_nothing(
    deployed, signed_in, people, field, value
):
    customer, live = borrower(people.officer)
    answer = signed_in("officer").post(
        f"/customers/{customer.id}/collateral/new", data=fields(live, **{field: value})
    )
    assert answer.status_code == 422 and field in answer.text
    assert stored() == 0


def test_the_form_records_an_item_and_shares_over_a_hundred_are_refused(deployed, signed_in, people):
    customer, live = borrower(people.officer)
    second = facility(customer, 3_000_000)
    officer = signed_in("officer")
    form = officer.get(f"/customers/{customer.id}/collateral/new")
    assert form.status_code == 200 and customer.name in form.text and f'name="share_{second.id}"' in form.text
    over = officer.post(
        f"/customers/{customer.id}/collateral/new", data={**fields(live, "70"), f"share_{second.id}": "40"}
    )
    assert over.status_code == 422 and "sum to at most 100%" in over.text and stored() == 0
    formula = {**fields(live, "70"), "description": '=HYPERLINK("http://x")'}  # text, kept as written
    done = officer.post(f"/customers/{customer.id}/collateral/new", data=formula)
    assert done.status_code == 302
    item = db.session.scalar(select(Collateral))
    assert done.headers["Location"].endswith(f"/collateral/{item.id}")
    page = officer.get(f"/collateral/{item.id}").text
    assert (
        "=HYPERLINK(&#34;http://x&#34;)" in page and "Valuation history" in page and "first valuation" in page
    )
    rule = re.search(r'id="haircut-rule">([^<]+)<', page).group(1)  # the table's words, not the rule's id
    assert rule == "by the haircut table: Real estate" and item.haircut_rule.startswith("Rule_")
    zh = signed_in("officer", "zh").get(f"/collateral/{item.id}").text
    assert re.search(r'id="haircut-rule">([^<]+)<', zh).group(1) == "按折扣率表：房地产"


def test_the_item_page_edits_shares_insurance_releases_and_revalues(deployed, signed_in, people):
    customer, live = borrower(people.officer)
    item = record(people.officer, customer, live, "50")
    officer = signed_in("officer")
    bad = officer.post(f"/collateral/{item.id}/links", data={f"share_{live.id}": "150"})
    assert bad.status_code == 422 and f"share_{live.id}" in bad.text
    assert officer.post(f"/collateral/{item.id}/links", data={f"share_{live.id}": "100"}).status_code == 302
    assert "100.00%" in officer.get(f"/collateral/{item.id}").text
    half = officer.post(f"/collateral/{item.id}/insurance", data={"insured_amount": "NaN", "insurer": "人保"})
    assert half.status_code == 422 and "insured_amount" in half.text and "insurance_expires_on" in half.text
    good = {"insured_amount": "18,000,000", "insurer": "中国人保财险", "insurance_expires_on": "2099-01-01"}
    assert officer.post(f"/collateral/{item.id}/insurance", data=good).status_code == 302
    started = officer.post(f"/collateral/{item.id}/revaluation")
    case = db.session.scalar(
        select(ProcessInstance).where(ProcessInstance.process_id == "collateral_revaluation")
    )
    assert started.status_code == 302 and started.headers["Location"].endswith(f"/cases/{case.id}")
    assert officer.post(f"/collateral/{item.id}/revaluation").status_code == 409  # one at a time
    assert case.reference in officer.get(f"/collateral/{item.id}").text
    assert 'id="release"' not in officer.get(f"/collateral/{item.id}").text  # the officer asks a manager
    assert officer.post(f"/collateral/{item.id}/release").status_code == 403
    risk = signed_in("risk")
    assert 'id="release"' in risk.get(f"/collateral/{item.id}").text
    assert risk.post(f"/collateral/{item.id}/release").status_code == 302
    assert risk.post(f"/collateral/{item.id}/release").status_code == 409


def test_the_revaluation_task_offers_the_reports_attached(deployed, signed_in, people):
    customer, live = borrower(people.officer)
    item = record(
        people.officer, customer, live, appraised_on=(local_today() - timedelta(days=400)).isoformat()
    )
    [started] = revaluation.start_due()
    task = ready(started, "record_valuation")
    officer = signed_in("officer")
    page = officer.get(f"/tasks/{task.id}").text
    assert "Attach the appraisal report" in page and f"/cases/{started}/documents/new?kind=appraisal" in page
    assert item.description in page
    doc = report(people.officer, case_id=started)
    page = officer.get(f"/tasks/{task.id}").text
    assert f'<option value="{doc.id}"' in page and "押品重估报告" in page
    valuation = {
        "new_value": "18,000,000",
        "valued_on": (local_today() - timedelta(days=1)).isoformat(),
        "appraiser": "上海东洲资产评估有限公司",
    }
    sent = officer.post(f"/tasks/{task.id}", data={**valuation, "report_document_id": str(doc.id + 50)})
    assert sent.status_code == 422 and "an appraisal report attached to this case" in sent.text
    done = officer.post(f"/tasks/{task.id}", data={**valuation, "report_document_id": str(doc.id)})
    assert done.status_code == 302
    risk = signed_in("risk")
    case_page = risk.get(f"/cases/{started}").text
    assert 'id="revaluation-facts"' in case_page and "Collateral revaluation" in case_page
    confirming = risk.get(f"/tasks/{ready(started, 'confirm_valuation').id}").text
    for page in (case_page, confirming):  # the report by its title, where the confirmer reads it
        assert re.search(rf'href="/documents/{doc.id}" id="valuation-report">押品重估报告<', page)


def test_the_book_lists_due_short_and_insurance_for_risk_and_approvers(deployed, signed_in, people):
    customer, live = borrower(people.officer, limit=10_000_000)
    soon = (local_today() + timedelta(days=5)).isoformat()
    record(
        people.officer,
        customer,
        live,
        "50",
        appraised_on=(local_today() - timedelta(days=400)).isoformat(),
        insured_amount="1000000",
        insurer="平安财险",
        insurance_expires_on=soon,
    )
    for who in ("risk", "approver1"):
        page = signed_in(who).get("/collateral").text
        assert (
            'id="due"' in page
            and "revaluation-due" in page
            and "shortfall" in page
            and "3,000,000.00" in page
        )
        assert "平安财险" in page and soon in page
    assert 'href="/collateral"' in signed_in("risk").get("/customers").text  # the nav link
    for who in ("officer", "compliance", "designer"):
        assert signed_in(who).get("/collateral").status_code == 403


def test_refusals_and_csrf(app, deployed, signed_in, people, monkeypatch):
    customer, live = borrower(people.officer)
    item = record(people.officer, customer, live)
    other = signed_in("officer2")
    assert other.get(f"/customers/{customer.id}/collateral/new").status_code == 403
    assert other.post(f"/collateral/{item.id}/release").status_code == 403
    assert other.get(f"/collateral/{item.id}").status_code == 200  # reads every customer, writes its own
    assert signed_in("designer").get(f"/collateral/{item.id}").status_code == 403
    assert 'id="release"' not in signed_in("compliance").get(f"/collateral/{item.id}").text
    officer = signed_in("officer")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert officer.post(f"/collateral/{item.id}/release").status_code == 400
    form = officer.get(f"/customers/{customer.id}/collateral/new").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert (
        officer.post(
            f"/customers/{customer.id}/collateral/new", data={**fields(live, "1"), "csrf_token": token}
        ).status_code
        == 302
    )
    assert db.session.get(Collateral, item.id).status == "active"


def api_headers(username: str) -> dict:
    return {"Accept-Language": "en", "Authorization": f"Bearer {users.issue_token(username)}"}


def test_the_api_records_reads_links_insures_revalues_and_releases(deployed, client, people):
    customer, live = borrower(people.officer, limit=10_000_000)
    body = {
        **{k: v for k, v in fields().items()},
        "appraised_value": 20_000_000,
        "links": [{"facility_id": live.id, "share": "50"}],
    }
    hostile = client.post(
        f"/api/v1/customers/{customer.id}/collateral",
        json={**body, "appraised_value": "Infinity", "links": [{"facility_id": live.id, "share": 101}]},
        headers=api_headers("officer"),
    )
    assert hostile.status_code == 422 and {"appraised_value", "links[0].share"} <= set(
        hostile.get_json()["errors"]
    )
    created = client.post(
        f"/api/v1/customers/{customer.id}/collateral", json=body, headers=api_headers("officer")
    )
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert (item["haircut"], item["value_after_haircut"]) == ("0.3000", "14000000.00")
    listed = client.get(
        f"/api/v1/customers/{customer.id}/collateral", headers=api_headers("compliance")
    ).get_json()
    [cover] = listed["facilities"]
    assert cover["short"] is True and cover["ltv"] == "1.4286" and cover["secured"] == "7000000.00"
    one = client.get(f"/api/v1/collateral/{item['id']}", headers=api_headers("approver1")).get_json()
    assert one["valuations"][0]["value"] == "20000000.00"
    linked = client.post(
        f"/api/v1/collateral/{item['id']}/links",
        json={"links": [{"facility_id": live.id, "share": 100}]},
        headers=api_headers("risk"),
    )
    assert linked.status_code == 200 and linked.get_json()["links"][0]["share"] == "100.00"
    insured = client.post(
        f"/api/v1/collateral/{item['id']}/insurance",
        json={"insured_amount": "1e9", "insurer": "人保", "insurance_expires_on": "2099-01-01"},
        headers=api_headers("officer"),
    )
    assert insured.status_code == 422 and "insured_amount" in insured.get_json()["errors"]
    assert client.get("/api/v1/collateral", headers=api_headers("risk")).status_code == 200
    assert client.get("/api/v1/collateral", headers=api_headers("officer")).status_code == 403
    started = client.post(f"/api/v1/collateral/{item['id']}/revaluation", headers=api_headers("officer"))
    assert started.status_code == 201 and started.get_json()["reference"].startswith("CV-")
    assert (
        client.post(
            f"/api/v1/collateral/{item['id']}/revaluation", headers=api_headers("officer")
        ).status_code
        == 409
    )
    assert (
        client.post(f"/api/v1/collateral/{item['id']}/release", headers=api_headers("officer2")).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/collateral/{item['id']}/release", headers=api_headers("officer")).status_code
        == 403
    )
    released = client.post(f"/api/v1/collateral/{item['id']}/release", headers=api_headers("risk"))
    assert released.status_code == 200 and released.get_json()["status"] == "released"
    assert (
        client.post(f"/api/v1/collateral/{item['id']}/release", headers=api_headers("risk")).status_code
        == 409
    )
