"""Browser test of the portfolio dashboard (风险管理驾驶舱): the risk manager opens it from the analytics tabs, sees
its charts drawn beside their tables, and follows the NPL row down to the customers behind it."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in
from tests.services.portfolio_book import build


def test_the_risk_manager_reads_the_dashboard_and_drills_down_to_the_npl_customers(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        factories.deploy()
        book = build(factories.people())
        npl_names = [book.customers[3].name, book.customers[4].name]

    log_in(page, "risk")
    page.goto("/analytics")
    expect(page.locator("h1")).to_contain_text("风险管理驾驶舱")
    quality = page.locator("#fig-quality")
    expect(quality.locator("canvas")).to_be_visible()
    expect(quality.locator("table")).to_contain_text("不良")
    quality.locator("tbody tr").nth(1).locator("a").click()
    expect(page.locator("h1")).to_contain_text("该数据对应的客户")
    for name in npl_names:
        expect(page.locator("table")).to_contain_text(name)
