"""Browser test of the collateral register (押品): the officer records a plant for a borrower (a share over 100%
refused on its field), sees its facility short of its limit on the item's page, raises the share so it is covered,
starts a revaluation; the risk manager, whose top bar (the most links of any role) stays one line at 1366 px in
either language, opens the book's list from its 贷后与风险 menu, then the item, and follows the revaluation under
way to its case."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.localtime import local_today
from tests import factories
from tests.browser.pages import log_in, log_out
from tests.services.collateral_data import borrower


def test_an_officer_records_collateral_sees_the_shortfall_and_starts_a_revaluation(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        factories.deploy()
        people = factories.people()
        customer, live = borrower(people.officer, limit=10_000_000)
        customer_id, facility_id, reference = customer.id, live.id, live.instance.reference
    share = f"#c-share_{facility_id}"

    log_in(page, "officer")
    page.goto(f"/customers/{customer_id}")
    expect(page.locator("#collateral")).to_contain_text(reference)
    page.locator("#add-collateral").click()
    page.select_option("#c-kind", "real_estate")
    page.fill("#c-description", "浦东新区张江路 88 号厂房及土地使用权")
    page.fill("#c-certificate_no", "沪(2024)浦字不动产权第0012345号")
    page.fill("#c-appraised_value", "20,000,000")
    page.fill("#c-appraised_on", (local_today() - timedelta(days=10)).isoformat())
    page.fill("#c-appraiser", "上海东洲资产评估有限公司")
    page.fill(share, "150")
    page.locator("#collateral-form button[type=submit]").click()
    expect(page.locator(f"{share}-error")).to_be_visible()
    expect(page.locator(share)).to_have_attribute("aria-invalid", "true")
    page.fill(share, "50")
    page.locator("#collateral-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/collateral/\d+$"))
    item_url = page.url
    links = page.locator("#links")
    expect(links.locator("tr.short")).to_have_count(1)  # 7m after haircut and share, against 10m
    expect(links).to_contain_text("142.86%")
    expect(page.locator("#details")).to_contain_text("14,000,000.00")

    page.fill(share, "100")
    page.locator("#links-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/collateral/\d+#links$"))
    expect(page.locator("#links tr.short")).to_have_count(0)
    expect(page.locator("#links")).to_contain_text("71.43%")

    page.locator("#revalue").click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("#revaluation-facts")).to_contain_text("浦东新区张江路 88 号厂房及土地使用权")
    case_url = page.url
    log_out(page)

    log_in(page, "risk")  # the top bar, the role with the most links: one line at the width of a laptop
    page.set_viewport_size({"width": 1366, "height": 900})
    bar = page.locator("header.topbar")
    for lang, switch in (("zh-CN", "English"), ("en", "中文")):
        expect(page.locator("html")).to_have_attribute("lang", lang)
        assert bar.bounding_box()["height"] < 64, lang
        page.locator("header .session button", has_text=switch).click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    menu = page.locator("#menu-risk")
    expect(page.locator("#collateral-link")).to_be_hidden()
    menu.locator("summary").click()
    page.locator("#menu-credit summary").click()  # one menu open at a time
    expect(page.locator("#collateral-link")).to_be_hidden()
    page.keyboard.press("Escape")
    expect(page.locator("#menu-credit .menu-items")).to_be_hidden()
    menu.locator("summary").click()
    page.locator("#collateral-link").click()
    page.wait_for_url(re.compile(r"/collateral$"))
    page.goto(item_url)
    expect(page.locator("#revaluation-case")).to_be_visible()
    page.locator("#revaluation-case").click()
    page.wait_for_url(case_url)
