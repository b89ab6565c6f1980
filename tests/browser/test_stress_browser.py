"""Browser test of the stress tests (压力测试): a risk manager keeps a scenario (an impossible rate refused on its
field), runs it, reads the figures as charts with their tables, and drills down from an industry to its customers."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in
from tests.services.test_stress import _customer


def test_a_risk_manager_runs_a_scenario_and_drills_down(app, browser_page: Page, jobs_here):
    page = browser_page
    with app.app_context():
        factories.deploy()
        people = factories.people()
        _customer(people, 1, "real_estate", people.officer, 8_000_000)
        _customer(people, 2, "manufacturing", people.officer, 5_000_000)

    log_in(page, "risk")
    page.goto("/analytics/stress")
    page.locator("a[href$='/analytics/stress/scenarios/new']").click()
    page.fill("#s-name", "房地产下行")
    page.select_option("#s-shocks-0-industry", "real_estate")
    page.fill("#s-shocks-0-sales_pct", "-30")
    page.fill("#s-shocks-0-rate_bp", "Infinity")
    page.locator("#scenario-form button[type=submit]").click()
    expect(page.locator("#s-shocks-0-rate_bp")).to_have_attribute("aria-invalid", "true")
    page.fill("#s-shocks-0-rate_bp", "200")
    page.locator("#scenario-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/analytics/stress$"))
    page.locator("form[action$='/run'] button").click()
    page.wait_for_url(re.compile(r"/analytics/stress\?run=\d+$"))
    figure = page.locator("#fig-expected_loss")
    expect(figure.locator("canvas[data-figure]")).to_be_visible()
    expect(figure.locator("table tbody tr")).to_have_count(3)  # two industries and the whole book
    figure.locator("a[href*='industry=real_estate']").click()
    page.wait_for_url(re.compile(r"/runs/\d+/customers\?"))
    expect(page.locator("#fig-customers")).to_contain_text("客户0001有限公司")
