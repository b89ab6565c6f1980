"""Browser test of the KPI dashboard (绩效考核): a branch's approver sees the charts drawn beside their tables,
opens an officer of their branch from the people's table, reads the score line by line and drills down from one
figure to the cases behind it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in
from tests.services.kpi_book import build


def test_an_approver_reads_the_kpis_of_their_branch_down_to_the_cases(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        factories.deploy()
        people = factories.people()
        build(people)  # officer and approver1 in Shanghai, officer2 in Beijing
        officer, other = people.officer.display_name, people.officer2.display_name

    log_in(page, "approver1")
    page.goto("/analytics/kpis?date_from=2000-01-01")
    expect(page.locator("#fig-turnaround canvas")).to_be_visible()
    expect(page.locator("#fig-turnaround tbody tr")).to_have_count(3)  # committee, single, and the total
    expect(page.locator("#fig-officers")).to_contain_text(officer)
    expect(page.locator("#fig-officers")).not_to_contain_text(other)  # Beijing's, outside the branch

    page.locator("#fig-officers tbody a", has_text=officer).click()
    page.wait_for_url(re.compile(r"/analytics/kpis/people/\d+"))
    expect(page.locator("#fig-scorecard tbody tr")).to_have_count(10)  # nine figures and the score
    expect(page.locator("body")).to_contain_text("Rule_kpi_scorecard_01")  # the table's rule behind each line

    page.locator("#fig-scorecard tbody a").first.click()  # the decisions on their applications
    page.wait_for_url(re.compile(r"/analytics/kpis/cases\?"))
    expect(page.locator("#fig-cases tbody tr").first).to_contain_text("CA-KPI-")
