"""Browser test of guarantees (担保) and circles (担保圈): the officer records the guarantee that closes a ring of
three firms on the borrower's page (a bad amount refused first, naming the field); the page shows the circle at
once; the risk manager sees it among the guarantee circles and has the whole book scanned."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in
from tests.web.test_guarantee_pages import give


def test_an_officer_closes_a_ring_and_the_risk_manager_sees_the_circle(app, browser_page: Page, jobs_here):
    page = browser_page
    with app.app_context():
        people = factories.people()
        a, b, c = (factories.book_customer(people.officer, i) for i in (1, 2, 3))
        give(people, a, b)
        give(people, b, c)
        borrower_id, guarantor_uscc, guarantor_name = a.id, c.uscc, c.name

    log_in(page, "officer")
    page.goto(f"/customers/{borrower_id}")
    expect(page.locator("#in-circle")).to_have_count(0)
    page.locator("#add-guarantee").click()
    page.fill("#g-guarantor_uscc", guarantor_uscc)
    page.select_option("#g-kind", "guarantee")
    page.fill("#g-amount", "=1+1")  # formula text: refused, naming the field
    page.fill("#g-signed_on", "2026-03-01")
    page.locator("#guarantee-form button[type=submit]").click()
    expect(page.locator("#g-amount-error")).to_be_visible()
    page.fill("#g-amount", "2,000,000")
    page.locator("#guarantee-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{borrower_id}#guarantees$"))
    expect(page.locator("#guarantors")).to_contain_text(guarantor_name)
    expect(page.locator("#in-circle")).to_contain_text("3")

    page.context.clear_cookies()
    log_in(page, "risk")
    page.goto("/guarantees/circles")
    expect(page.locator('[data-circle="1"]')).to_contain_text(guarantor_name)
    expect(page.locator("#scanned")).to_contain_text("尚未对全部客户进行扫描")
    page.get_by_role("button", name="立即扫描担保网络").click()
    page.wait_for_url(re.compile(r"/guarantees/circles$"))
    expect(page.locator("#scanned")).not_to_contain_text("尚未对全部客户进行扫描")
