"""Browser test of the collateral register (押品): the officer records a plant for a borrower (a share over 100%
refused on its field), sees its facility short of its limit on the item's page, raises the share so it is covered,
starts a revaluation and records the new valuation from its task (the appraisal report attached to the case from
the task's page and chosen in the form; a date in the future refused on its field); the risk manager, whose top bar
(the most links of any role) stays one line at 1366 px in either language, opens the book's list from its 贷后与风险
menu, then the item, follows the revaluation under way to its case and confirms the valuation there: the item's
page shows the new value, its date and the facility now short, and its valuation history who recorded and who
confirmed it."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import Collateral, CollateralValuation, EarlyWarning
from app.services.customers.facilities.facility_terms import add_months
from tests import factories, files
from tests.browser.pages import log_in, log_out, submit_task
from tests.services.collateral_data import borrower


def test_an_officer_records_collateral_and_its_revaluation_and_the_risk_manager_confirms_it(
    app, browser_page: Page, jobs_here
):
    page = browser_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
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

    # the officer's task: the report attached to the case from the task's page, then chosen in the form
    page.locator('a[href*="/tasks/"]', has_text="录入重估结果").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    expect(page.locator("#new-valuation")).to_contain_text("尚未录入")
    page.locator("#attach-report a", has_text="上传评估报告").click()
    page.wait_for_url(re.compile(r"/documents/new\?kind=appraisal&task_id=\d+$"))
    expect(page.locator("#d-kind")).to_have_value("appraisal")
    page.set_input_files(
        "#d-file", {"name": "重估报告.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    page.fill("#d-title", "厂房重估报告")
    page.locator("#document-form button[type=submit]").click()
    page.wait_for_url(
        re.compile(r"/tasks/\d+#task-documents$")
    )  # back on the task: the report to choose below
    valued_on = local_today() - timedelta(days=2)
    page.fill("#f-new_value", "12,000,000")
    page.fill("#f-valued_on", (local_today() + timedelta(days=1)).isoformat())
    page.fill("#f-appraiser", "上海立信资产评估有限公司")
    report = page.locator("#f-report_document_id option", has_text="厂房重估报告 · 重估报告.pdf")
    page.select_option("#f-report_document_id", report.get_attribute("value"))
    page.fill("#f-valuation_note", "周边厂房成交价下行约四成。")
    submit_task(page)
    expect(page.locator("#f-valued_on-error")).to_contain_text("不能晚于今天")  # the rest kept as entered
    expect(page.locator("#f-new_value")).to_have_value(re.compile(r"^12,?000,?000"))
    page.fill("#f-valued_on", valued_on.isoformat())
    submit_task(page)
    page.wait_for_url(case_url)
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

    # the risk manager confirms it from the case: the new value and its report above the decision
    page.locator('a[href*="/tasks/"]', has_text="确认重估结果").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    new_valuation = page.locator("#new-valuation")
    expect(new_valuation).to_contain_text("12,000,000.00")
    expect(new_valuation).to_contain_text(valued_on.isoformat())
    expect(new_valuation.locator('a[href*="/documents/"]')).to_have_count(1)
    page.locator("#f-valuation_decision").check()  # 确认重估结果
    submit_task(page)
    page.wait_for_url(case_url)
    page.goto(item_url)
    details = page.locator("#details")
    expect(details).to_contain_text("12,000,000.00")
    expect(details).to_contain_text(f"{valued_on.isoformat()} · 上海立信资产评估有限公司")
    expect(details).to_contain_text("8,400,000.00")  # after the 30% haircut
    expect(details).to_contain_text(add_months(valued_on, 12).isoformat())
    expect(page.locator("#revaluation-case")).to_have_count(0)
    expect(page.locator("#links tr.short")).to_have_count(1)  # 8.4m against 10m
    expect(page.locator("#links")).to_contain_text("119.05%")
    expect(page.locator("#links")).to_contain_text("0.84×")
    history = page.locator("#valuations tr[data-valuation]")
    expect(history).to_have_count(2)
    cells = history.first.locator(
        "td"
    )  # date, value, appraiser, haircut, report, recorded by, confirmed by, case
    for place, text in enumerate(
        (valued_on.isoformat(), "12,000,000.00", "上海立信资产评估有限公司", "30.00%")
    ):
        expect(cells.nth(place)).to_have_text(text)
    expect(cells.nth(4)).to_have_text("厂房重估报告")
    expect(cells.nth(5)).to_have_text("officer")
    expect(cells.nth(6)).to_have_text("risk")
    expect(history.last).to_contain_text("首次评估")
    with app.app_context():
        item = db.session.scalar(select(Collateral).where(Collateral.customer_id == customer_id))
        assert (item.appraised_value, item.appraised_on, item.revaluation_case_id) == (
            12_000_000,
            valued_on,
            None,
        )
        latest = db.session.scalar(
            select(CollateralValuation)
            .where(CollateralValuation.collateral_id == item.id)
            .order_by(CollateralValuation.id.desc())
            .limit(1)
        )
        assert latest.value == 12_000_000 and latest.valued_on == valued_on
        assert latest.instance_id == int(case_url.rsplit("/", 1)[1]) and latest.report.title == "厂房重估报告"
        assert (latest.recorded_by.username, latest.confirmed_by.username) == ("officer", "risk")
        # the confirmation ran the warning rules for the customer at once: now short, it is raised
        raised = select(EarlyWarning.code).where(
            EarlyWarning.customer_id == customer_id, EarlyWarning.status == "open"
        )
        assert "collateral_shortfall" in db.session.scalars(raised).all()
    refusals = "the server responded with a status of 422"  # the share over 100 and the date in the future
    assert [e for e in errors if refusals not in e] == []
