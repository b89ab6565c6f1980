"""Browser tests of monitoring: an import with its progress bar and refused rows, and the watchlist."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from app.services.monitoring import portfolio
from app.services.shared import dispatch
from tests import factories
from tests.browser.pages import log_in
from tests.services.test_imports import HEADER, customers
from tests.workflows.test_warning_escalation import approved_customer, observe


def test_an_officer_imports_a_file_and_follows_its_progress_to_the_refused_rows(
    app, browser_page: Page, tmp_path, monkeypatch
):
    page = browser_page
    with app.app_context():
        factories.people()
        made = [(c.uscc, c.name) for c in customers(3)]
    good = "\n".join(f"{uscc},2026-10-{day:02d},{60 + day},0,0,0,否," for uscc, _n in made for day in (1, 2))
    csv = tmp_path / "贷后监测.csv"
    csv.write_text(
        f"{HEADER}\n{good}\n91310000MA9999999X,2026-10-01,50,0,0,0,否,\n{made[0][0]},2026-10-03,abc,0,0,0,否,\n",
        encoding="utf-8",
    )

    log_in(page, "officer")
    page.locator("#menu-risk summary").click()  # the top bar's 贷后与风险 menu
    page.locator("header nav").get_by_role("link", name="贷后监测").click()
    page.locator("#import-form input[type=file]").set_input_files(str(csv))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/monitoring/imports/\d+$"))
    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-status", "done")
    expect(progress.locator("progress")).to_have_attribute("value", "8")
    expect(progress.locator("progress")).to_have_attribute("max", "8")
    expect(page.locator("#import-counts")).to_contain_text("6 行已保存")
    rows = page.locator("#import-errors tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("没有客户使用此统一社会信用代码")
    expect(rows.nth(1)).to_contain_text("utilization_pct")
    with page.expect_download() as download:
        page.locator("#errors-file").click()
    assert "须为数字" in download.value.path().read_text(encoding="utf-8-sig")

    # a large file while its job has not run yet: the page shows the bar and keeps asking for progress
    monkeypatch.setitem(app.config, "IMPORT_INLINE_BYTES", 0)
    monkeypatch.setattr(dispatch, "relay", lambda ids: 0)  # the job waits in the outbox: no worker takes it
    page.goto("/monitoring")
    page.locator("#import-form input[type=file]").set_input_files(str(csv))
    page.locator("#import-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/monitoring/imports/\d+$"))
    expect(page.locator("#import-progress")).to_have_attribute("data-status", "queued")
    with page.expect_request(re.compile(r"/monitoring/imports/\d+/progress$")):
        pass  # htmx polls the progress fragment
    page.goto("/monitoring")  # leave before the test ends, so no poll is in flight


def test_a_risk_manager_reads_the_watchlist_and_follows_a_warning_to_its_escalation(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        customer = approved_customer(people)
        observe(people, customer, on=date.today().isoformat(), days_past_due="45", utilization_pct="97")
        portfolio.scan(people.risk)
        name = customer.name

    log_in(page, "risk")
    page.locator("#menu-risk summary").click()  # the top bar's 贷后与风险 menu
    page.locator("header nav").get_by_role("link", name="预警名单").click()
    page.wait_for_url(re.compile(r"/watchlist$"))
    table = page.locator("#watchlist")
    expect(table.locator("tbody tr")).to_have_count(2)  # two warnings of one customer
    expect(table).to_contain_text(name)
    expect(table).to_contain_text("逾期超过 30 天")
    expect(table).to_contain_text("核查预警")  # the stage
    expect(table.locator("tbody tr").first).to_contain_text("officer")  # the customer's officer holds it
    page.locator("select[name=severity]").select_option("high")
    page.get_by_role("button", name="筛选").click()
    expect(table.locator("tbody tr")).to_have_count(1)
    table.get_by_role("link", name=re.compile(r"^EW-")).click()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    expect(page.locator("main h1")).to_contain_text("EW-")
