"""Browser tests of early warnings: one observation (95 days past due) → one escalation in the officer's
queue whose investigation lists each warning with its rule, observed values and their date; a second
signal while it is being investigated joins it (the investigation starts over with the whole group); the portfolio check's progress and result on the watchlist; and the
risk-control form showing the fields of the action chosen."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.localtime import local_today
from app.services.cases import tasks
from app.services.monitoring import portfolio
from tests import factories
from tests.browser.pages import log_in, log_out, submit_task
from tests.workflows.test_warning_escalation import approved_customer, observe, ready

TODAY = local_today()  # the bank's (Beijing) date, as the app reads it

pytestmark = pytest.mark.usefixtures("jobs_here")  # the check runs at once, in this process


def enter_observation(page: Page, uscc: str, on: date, **figures: str) -> None:
    page.goto("/monitoring/observations/new")
    page.fill("#o-uscc", uscc)
    page.fill("#o-observed_on", on.isoformat())
    for name, value in figures.items():
        if name == "negative_news":
            page.select_option(f"#o-{name}", value)
        else:
            page.fill(f"#o-{name}", value)
    page.locator("form.task-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))


def run_check(page: Page) -> None:
    page.goto("/watchlist")
    page.locator("#run-check button").click()
    page.wait_for_url(re.compile(r"/watchlist$"))
    expect(page.locator("#check-progress")).to_have_attribute("data-status", "done")


def test_one_observation_95_days_past_due_is_one_investigation_and_a_later_signal_joins_it(
    app, browser_page: Page
):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        uscc = approved_customer(people).uscc

    log_in(page, "officer")
    enter_observation(
        page,
        uscc,
        TODAY - timedelta(days=2),
        days_past_due="95",
        overdue_interest="18000",
        utilization_pct="99",
    )
    log_out(page)

    log_in(page, "risk")
    run_check(page)
    counts = page.locator("#check-counts")
    expect(counts).to_contain_text("已检测 1 户客户")
    expect(counts).to_contain_text("新增预警 3 条")
    expect(counts).to_contain_text("新发起预警处置 1 件")
    expect(page.locator("#check-escalations li")).to_have_count(1)
    expect(page.locator("#watchlist tbody tr")).to_have_count(3)  # three warnings, one escalation holds them
    references = page.locator("#watchlist tbody tr td a[href*='/cases/']").all_inner_texts()
    assert len(set(references)) == 1
    log_out(page)

    log_in(page, "officer")
    investigations = page.locator("main table tbody tr", has_text="核查预警")
    expect(investigations).to_have_count(1)  # investigated once, not once per warning
    investigations.first.get_by_role("link", name="核查预警").click()
    group = page.locator("#escalation-warnings")
    expect(group.locator("tbody tr")).to_have_count(3)
    past_due = group.locator("tr[data-warning=past_due_30]")
    expect(past_due).to_contain_text("逾期超过 30 天")  # the warning and its rule
    expect(past_due).to_contain_text("Rule_warning_rules")
    expect(past_due.locator("[data-figure=days_past_due]")).to_have_text("95")
    expect(past_due).to_contain_text((TODAY - timedelta(days=2)).isoformat())
    expect(group.locator("tr[data-warning=overdue_interest] [data-figure=overdue_interest]")).to_have_text(
        "18,000.00 元"
    )
    investigation_url = page.url
    log_out(page)

    log_in(page, "risk")  # news the next day, while the investigation is open
    enter_observation(page, uscc, TODAY, negative_news="yes", news_note="媒体报道停产")
    run_check(page)
    expect(page.locator("#check-counts")).to_contain_text("并入在办处置 1 件")
    expect(page.locator("#check-counts")).to_contain_text("新发起预警处置 0 件")
    log_out(page)

    log_in(page, "officer")
    expect(page.locator("main table tbody tr", has_text="核查预警")).to_have_count(1)
    page.goto(investigation_url)  # the investigation started over with the group: its old link leads there
    expect(page).not_to_have_url(investigation_url)
    expect(page.locator("main")).to_contain_text("重新打开")
    expect(group.locator("tbody tr")).to_have_count(4)
    expect(group.locator("tr[data-warning=negative_news]")).to_contain_text(TODAY.isoformat())
    expect(group.locator("tr[data-warning=negative_news]")).to_contain_text("并入于")
    expect(page.locator("#triaged-again")).to_contain_text("重新分诊")


def test_the_risk_control_form_shows_the_fields_of_the_action_chosen(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        customer = approved_customer(people)
        observe(people, customer, days_past_due="95")  # the table proposes an exit
        [case_id] = portfolio.scan(people.risk).started
        tasks.complete(
            people.officer,
            ready(case_id, "investigate_warning").id,
            {"assessment": "confirmed", "findings": "逾期属实。"},
        )
        review_id = ready(case_id, "risk_review").id

    log_in(page, "risk")
    page.goto(f"/tasks/{review_id}")
    share, term, margin = (
        page.locator("#f-reduce_share"),
        page.locator("#f-term_months"),
        page.locator("#f-margin_add_pct"),
    )
    for field in (share, term, margin):
        expect(field).to_be_hidden()
    page.select_option("#f-action", "shorten_term")
    expect(term).to_be_visible()
    expect(term).to_have_value("12")
    expect(share).to_be_hidden()
    page.select_option("#f-action", "reduce_limit")
    expect(share).to_be_visible()
    expect(share).to_have_value("20")  # a fifth (20%), not the whole limit
    expect(term).to_be_hidden()
    page.fill("#f-expected_loss_pct", "20")
    page.fill("#f-review_comment", "压降额度两成，按月跟踪。")
    submit_task(page)
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("main")).to_contain_text("审批风险控制措施")
