"""The customer page as a 360 view: every section is there, in both languages, with what the customer's
history holds (master data before/after, exposure with the group, statements and ratios, reviews, cases)."""

from __future__ import annotations

import html
import re

from tests.services.test_exposure import GROUP, approved
from tests.web.test_pages import text_of

SECTIONS = (
    "overview",
    "exposure",
    "facilities",
    "figures",
    "rating-history",
    "warnings",
    "reviews",
    "cases",
    "contacts",
    "contact-log",
    "master-history",
)


def section(page: str, anchor: str) -> str:
    found = re.search(
        rf'<(?:section|div) class="card" id="{anchor}">(.*?)</section>', page, re.S
    ) or re.search(rf'<div id="{anchor}">(.*?)</div>\s*<section', page, re.S)
    assert found, f"no section {anchor}"
    return html.unescape(found.group(1))


def test_the_page_shows_every_section_with_the_customers_history(as_user, people):
    first = approved(people, 71, 2_000_000, size="medium", group_name=GROUP)
    second = approved(people, 71, 1_000_000, size="large", group_name=GROUP)
    approved(people, 72, 4_000_000, group_name=GROUP)
    page = text_of(as_user("officer").get(f"/customers/{first.customer_id}"))
    for anchor in SECTIONS:
        assert f'href="#{anchor}"' in page
        section(page, anchor)
    assert "7,000,000.00" in section(page, "exposure") and "Customers in the group: 2" in section(
        page, "exposure"
    )
    assert "3,000,000.00" in section(page, "exposure")
    history = section(page, "master-history")
    assert "first recorded" in history and "Medium" in history and "Large" in history
    assert f"/cases/{second.id}" in history and second.reference in history
    figures = section(page, "figures")
    assert "Total assets" in figures and "data-trend" in figures
    assert first.reference in section(page, "cases") and second.reference in section(page, "cases")
    assert "No periodic review yet." in section(page, "reviews") or "PR-" in section(page, "reviews")


def test_the_page_reads_in_chinese(as_user, people):
    case = approved(people, 81, 2_000_000)
    client = as_user("compliance", language="zh-CN")
    page = text_of(client.get(f"/customers/{case.customer_id}"))
    for words in ("概况", "授信敞口", "财务报表", "主数据变更记录", "定期检查", "资产总计"):
        assert words in page, words


def test_a_designer_may_not_open_a_customer(as_user, people):
    case = approved(people, 91, 2_000_000)
    assert as_user("designer").get(f"/customers/{case.customer_id}").status_code == 403


def test_the_api_lists_customers_and_gives_one_with_its_facilities_and_exposure(client, as_user, people):
    from app.services.admin import users

    case = approved(people, 95, 3_000_000, group_name=GROUP)
    headers = {"Authorization": f"Bearer {users.issue_token('officer')}"}
    listed = client.get("/api/v1/customers?q=" + case.customer.uscc, headers=headers).get_json()
    assert listed["total"] == 1 and listed["customers"][0]["id"] == case.customer_id
    one = client.get(f"/api/v1/customers/{case.customer_id}", headers=headers).get_json()
    assert one["group_name"] == GROUP and one["exposure"]["customer_limit"] == "3000000.00"
    assert [f["case_id"] for f in one["facilities"]] == [case.id] and one["facilities"][0][
        "status"
    ] == "active"
    assert client.get("/api/v1/customers/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/customers?page=10000000000000000000000", headers=headers).status_code == 422
    designer = {"Authorization": f"Bearer {users.issue_token('designer')}"}
    assert client.get(f"/api/v1/customers/{case.customer_id}", headers=designer).status_code == 403


def test_the_customer_page_reads_the_same_number_of_statements_for_1_or_6_facilities(as_user, people):
    from sqlalchemy import event

    from app.extensions import db
    from app.services.customers.page import customer_page

    few = approved(people, 101, 1_000_000)
    many = approved(people, 102, 1_000_000)
    for _ in range(5):
        approved(people, 102, 1_000_000)

    def statements_for(customer_id: int) -> int:
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            view = customer_page.page(people.risk, customer_id)
            [(t.facility.instance.reference, t.renewal) for t in view.facility_terms]
            [(w.instance.reference if w.instance else None) for w in view.warnings]
            [
                (e.logged_by, e.follow_up_done_by)
                for e in (t.item for t in view.timeline if t.kind == "contact")
            ]
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements_for(many.customer_id) <= statements_for(few.customer_id) + 1
