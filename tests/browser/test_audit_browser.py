"""Browser test of the auditor's case history: the diagram with the path taken and where the case waits,
an element clicked to read its history, a decision's table with its matched row."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.pages import log_in


def test_the_auditor_reads_a_case_on_its_highlighted_diagram(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        case = factories.case_routed("single", people.officer)
        case_id, reference = case.id, case.reference

    log_in(page, "compliance")
    page.locator("#menu-compliance summary").click()  # the top bar's 合规 menu
    page.locator("header nav").get_by_role("link", name="审计日志").click()
    page.locator("#audit-search input[name=case]").fill(reference)
    page.locator("#audit-search button[type=submit]").click()
    expect(page.locator("#audit-rows tbody tr").first).to_contain_text(reference)
    page.locator("#audit-rows a", has_text=reference).first.click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))

    diagram = page.locator("#case-diagram")
    expect(diagram).to_have_attribute("data-ready", "true", timeout=15_000)
    expect(diagram.locator("g.djs-element.path-visited[data-element-id=application_intake]")).to_have_count(1)
    expect(diagram.locator("g.djs-element.path-current[data-element-id=approval_signoff]")).to_have_count(1)

    # the officer's intake, clicked on the diagram: the timeline shows that element's history only
    diagram.locator("g.djs-element[data-element-id=application_intake]").first.click()
    note = page.locator("#timeline-filter")
    expect(note).to_be_visible()
    expect(note).to_contain_text("录入授信申请")
    visible = page.locator("#timeline li:not(.hidden)")
    expect(visible.first).to_have_attribute("data-element", "application_intake")
    assert all(
        el == "application_intake" for el in visible.evaluate_all("els => els.map(e => e.dataset.element)")
    )
    expect(visible.locator("details.submission")).to_have_count(1)
    note.get_by_role("button").click()
    expect(note).to_be_hidden()

    # a decision's table with the row that matched
    page.locator("#decisions a, section a", has_text="决策表").first.click()
    page.wait_for_url(re.compile(rf"/cases/{case_id}/decisions/\d+$"))
    expect(page.locator("#decision-table tr.matched")).to_have_count(1)
