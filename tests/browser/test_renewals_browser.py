"""Browser test of facilities that end: the officer opens the maturing list from the menu, proposes the renewal
(续授信) of a facility maturing in 20 days and lands on the new case's intake, prefilled from the customer and the
facility; then, on a new application, picks that customer by typing part of its credit code (htmx) and finds
the form filled in."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Facility
from tests import factories
from tests.browser.pages import log_in


def test_an_officer_proposes_a_renewal_from_the_maturing_list_and_picks_a_customer_at_intake(
    app, browser_page: Page
):
    page = browser_page
    with app.app_context():
        factories.deploy()
        people = factories.people()
        case = factories.approved_case(people, 1, limit=3_000_000)
        facility = db.session.scalar(select(Facility).where(Facility.instance_id == case.id))
        facility.matures_on = local_today() + timedelta(days=20)
        db.session.commit()
        facility_id, reference = facility.id, case.reference
        name, uscc = facility.customer.name, facility.customer.uscc

    log_in(page, "officer")
    page.locator("#menu-credit summary").click()  # the top bar's 授信业务 menu
    page.locator("#maturing-link").click()
    page.wait_for_url(re.compile(r"/facilities/maturing$"))
    row = page.locator(f'#maturing tr[data-facility="{facility_id}"]')
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(reference)
    expect(page.locator('#bands tr[data-band="within_30"]')).to_contain_text("1")
    row.locator("button.propose-renewal").click()

    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    expect(page.locator("#renews")).to_contain_text(reference)
    expect(page.locator("#f-customer_name")).to_have_value(name)
    expect(page.locator("#f-uscc")).to_have_value(uscc)
    expect(page.locator("#f-requested_amount")).to_have_value("3,000,000.00")
    expect(page.locator("#f-requested_term_months")).to_have_value("12")
    expect(page.locator("#f-purpose")).to_have_value(re.compile(reference))

    page.goto("/facilities/maturing")
    expect(page.locator(f'#maturing tr[data-facility="{facility_id}"] .renewal-proposed')).to_be_visible()
    expect(page.locator(f'#maturing tr[data-facility="{facility_id}"] button.propose-renewal')).to_have_count(
        0
    )

    page.goto("/tasks")  # a new application of the officer's own: the intake offers the bank's customers
    page.locator("form[action$='/cases/new'] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    page.locator("#customer_q").press_sequentially(uscc[-8:], delay=20)
    hit = page.locator("#customer-matches a.pick-customer")
    expect(hit).to_contain_text(name)
    hit.click()
    page.wait_for_url(re.compile(r"/tasks/\d+\?customer=\d+$"))
    expect(page.locator("#customer-known")).to_contain_text(name)
    expect(page.locator("#f-uscc")).to_have_value(uscc)
    expect(page.locator("#f-customer_name")).to_have_value(name)
