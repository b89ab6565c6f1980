"""Browser test of training (培训管理): an officer acknowledges the case-library entry assigned to them on their
training page; the risk manager enters a session's results in the attendance table and sees the completion
per branch drawn as a chart beside its table."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.services.people.training import attendance, catalog, readings
from tests import factories
from tests.browser.pages import log_in, log_out


def test_an_officer_acknowledges_a_reading_and_risk_records_results(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        readings.assign(
            people.risk, {"user_id": str(people.officer.id), "entry_ref": "12", "title": "担保圈风险案例"}
        )
        course = catalog.by_code("POST_LOAN")
        session = attendance.create_session(
            people.risk,
            {"course_id": str(course.id), "held_on": "2026-01-05", "trainer": "赵磊", "place": "总行"},
        )
        officer_id = people.officer.id

    log_in(page, "officer")
    page.goto("/analytics/training")
    expect(page.locator("#required")).to_contain_text("反洗钱与客户身份识别")
    expect(page.locator("#readings")).to_contain_text("担保圈风险案例")
    page.locator("#readings form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/analytics/training#readings$"))
    expect(page.locator("#readings form")).to_have_count(0)
    log_out(page)

    log_in(page, "risk")
    page.goto(f"/analytics/training/sessions/{session.id}")
    page.select_option(f"#l-result_{officer_id}", "pass")
    page.fill(f"#l-score_{officer_id}", "Infinity")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".form-error-summary")).to_be_visible()  # the score refused, on its row
    page.fill(f"#l-score_{officer_id}", "93.5")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/analytics/training/sessions/{session.id}$"))
    expect(page.locator(f"#l-score_{officer_id}")).to_have_value("93.5")
    page.goto("/analytics/training")
    expect(page.locator("#fig-completion canvas")).to_be_visible()
    expect(page.locator("#fig-completion table")).to_contain_text("总行")  # the branch named, not its code
