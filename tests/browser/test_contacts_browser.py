"""Browser test of a customer's contacts and contact log: the officer adds a contact (its identity number shown
masked), logs a visit with a follow-up due today, finds it among "My tasks" and marks it done."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from app.localtime import local_today
from tests import factories
from tests.browser.pages import log_in
from tests.services.test_contacts import RESIDENT_ID, customer_of


def test_an_officer_adds_a_contact_and_logs_a_visit_whose_follow_up_falls_due(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        customer = customer_of(people.officer)
        customer_id, name = customer.id, customer.name
    today = local_today().isoformat()

    log_in(page, "officer")
    page.goto(f"/customers/{customer_id}")
    page.locator("#add-contact").click()
    page.fill("#c-name", "陈建国")
    page.select_option("#c-role", "legal_representative")
    page.fill("#c-phone", "138 1234 5678")
    page.select_option("#c-id_type", "resident_id")
    page.fill("#c-id_number", "110105194912310021")  # one digit off: the check character refuses it
    page.locator("#contact-form button[type=submit]").click()
    expect(page.locator("#c-id_number-error")).to_be_visible()
    page.fill("#c-id_number", RESIDENT_ID)
    page.locator("#contact-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{customer_id}#contacts$"))
    contacts = page.locator("#contacts")
    expect(contacts).to_contain_text("陈建国")
    expect(contacts).to_contain_text("1101**********002X")
    expect(contacts).not_to_contain_text(RESIDENT_ID)

    page.locator("#log-contact").click()
    page.fill("#l-contacted_on", today)
    page.select_option("#l-channel", "visit")
    page.select_option("#l-contact_id", label="陈建国")
    page.fill("#l-summary", "走访企业，了解经营情况。\n约定补交季度报表。")
    page.fill("#l-follow_up_on", today)
    page.locator("#entry-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/customers/{customer_id}#contact-log$"))
    entry = page.locator("#contact-log li.kind-contact")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("约定补交季度报表")
    expect(entry).to_contain_text("陈建国")

    page.locator("header nav a").first.click()  # My tasks
    page.wait_for_url(re.compile(r"/tasks$"))
    due = page.locator("#follow-ups")
    expect(due).to_contain_text(name)
    expect(due).to_contain_text("约定补交季度报表")
    due.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/tasks$"))
    expect(page.locator("#follow-ups")).to_have_count(0)
