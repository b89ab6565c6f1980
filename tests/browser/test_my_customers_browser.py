"""Browser test of "My team's customers" and a bulk transfer (客户移交): the Shanghai branch's approver filters
the branch's customers by officer and grade, ticks two, is refused without a reason, gives one, and sees the
new officer on the list and on the customer's page, with the transfer in its history."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services.admin import users
from tests import factories
from tests.browser.pages import log_in

REASON = "团队调整：两户移交对公二部"


def test_a_manager_filters_the_branch_and_transfers_two_customers_in_bulk(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        factories.people()
        sh1 = users.create_user(
            "sh1", "officer", factories.PASSWORD, display_name="王晓明", branch="shanghai", team="对公一部"
        )[0]
        users.create_user(
            "sh2", "officer", factories.PASSWORD, display_name="郑凯", branch="shanghai", team="对公二部"
        )
        users.create_user(
            "sh_head",
            "approver",
            factories.PASSWORD,
            display_name="张伟",
            authority_level=1,
            branch="shanghai",
        )
        grades = ["A", "A", "BBB", "A"]
        moved = [
            factories.book_customer(
                sh1, i + 1, name=f"浦江{i + 1}号实业有限公司", grade=g, loan_class="normal"
            )
            for i, g in enumerate(grades)
        ]
        chosen = [(c.id, c.name) for c in moved if c.grade == "A"][:2]

    log_in(page, "sh_head")
    page.locator("#menu-credit summary").click()  # the top bar's 授信业务 menu
    page.locator("header nav a", has_text="团队客户").click()
    page.wait_for_url(re.compile(r"/customers/mine$"))
    expect(page.locator("h1")).to_contain_text("本分行客户")
    page.select_option("#book-filters select[name=officer]", label="王晓明 · 对公一部")
    page.select_option("#book-filters select[name=grade]", "A")
    page.locator("#book-filters button[type=submit]").click()
    page.wait_for_url(re.compile(r"grade=A"))
    expect(page.locator("#book-total")).to_have_text("3")
    expect(page.locator("#book tbody tr")).to_have_count(3)

    for customer_id, _name in chosen:
        page.check(f"#pick-{customer_id}")
    page.select_option("#t-officer", "sh2")
    page.locator("#transfer-chosen").click()  # no reason: refused, the choices kept
    expect(page.locator("#transfer-refused")).to_contain_text("未移交任何客户")
    expect(page.locator(f"#pick-{chosen[0][0]}")).to_be_checked()
    page.fill("#t-reason", REASON)
    page.locator("#transfer-chosen").click()
    page.wait_for_url(re.compile(r"/customers/mine\?.*grade=A"))
    expect(page.locator("main")).to_contain_text("已将 2 个客户移交给郑凯")
    expect(page.locator("#book-total")).to_have_text("1")  # still filtered on 王晓明: one left

    page.goto("/customers/mine?grade=A")
    for customer_id, _name in chosen:
        expect(page.locator(f"#book tr[data-customer='{customer_id}'] td.officer")).to_contain_text("郑凯")
    page.goto(f"/customers/{chosen[0][0]}")
    officer = page.locator("#officer")
    expect(officer.locator("#officer-name")).to_have_text("郑凯")
    expect(officer).to_contain_text("对公二部")
    expect(officer.locator("#officer-history")).to_contain_text(REASON)
    expect(officer.locator("#officer-history")).to_contain_text("王晓明")
