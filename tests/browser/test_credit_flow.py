"""A credit application from log-in to approval, entirely through the browser.

Selectors use ids and names (the form macros name fields ``f-<path>``/``<path>``) or accept the Chinese
or the English text, so the test passes whether or not the zh_CN catalog is compiled.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Facility, ProcessInstance
from app.services.admin.demo import demo_uscc
from tests import factories
from tests.browser.pages import log_in, log_out, submit_task

CASE_URL = re.compile(r"/cases/(\d+)$")
TASK_URL = re.compile(r"/tasks/\d+$")
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
INBOX_LINK = re.compile("审批待办|Sign-off inbox")
STATEMENT_ITEMS = [
    "fiscal_year",
    "total_assets",
    "current_assets",
    "cash",
    "inventory",
    "receivables",
    "total_liabilities",
    "current_liabilities",
    "short_term_debt",
    "long_term_debt",
    "book_equity",
    "retained_earnings",
    "sales",
    "ebit",
    "interest_expense",
    "net_income",
    "operating_cash_flow",
    "depreciation",
]


def wrong_check_character(code: str) -> str:
    return code[:-1] + next(c for c in USCC_CHARS if c != code[-1])


def fill_intake(page: Page, uscc: str) -> None:
    page.fill("#f-customer_name", "华东精密机械有限公司")
    page.fill("#f-uscc", uscc)
    page.select_option("#f-industry", "manufacturing")
    page.check("input[name=size][value=medium]")
    page.select_option("#f-credit_record", "clean")
    page.fill("#f-requested_amount", "5,000,000")
    page.fill("#f-requested_term_months", "24")
    page.fill("#f-purpose", "流动资金周转")


def open_ready_task(page: Page) -> None:
    """From the case page, follow the (only) ready task's link."""
    links = page.locator("main table a[href*='/tasks/']")
    expect(links).to_have_count(1)
    links.click()
    page.wait_for_url(TASK_URL)


def test_application_from_intake_to_approval(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        factories.people()
        factories.deploy()

    # --- the officer opens an application -------------------------------------------------------
    log_in(page, "officer")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    expect(page.locator("header nav a[href$='/inbox']")).to_have_count(0)
    expect(page.locator("header nav").get_by_role("link", name=INBOX_LINK)).to_have_count(0)
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert csrf, "the CSRF token should render even where the test app does not check it"

    page.get_by_role("button", name=re.compile("新建授信申请|New credit application")).click()
    page.wait_for_url(TASK_URL)
    intake_url = page.url

    # a wrong check character: the field error is shown next to the field and we stay on the form
    fill_intake(page, wrong_check_character(demo_uscc(1)))
    submit_task(page)
    uscc = page.locator("#f-uscc")
    expect(uscc).to_have_attribute("aria-invalid", "true")
    assert page.url == intake_url
    error = page.locator("#f-uscc-error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    assert "f-uscc-error" in (uscc.get_attribute("aria-describedby") or "")
    # the error sits in the uscc field's own block, and the summary links to the field
    expect(page.locator(".form-field-invalid #f-uscc-error")).to_have_count(1)
    expect(page.locator(".form-error-summary a[href='#f-uscc']")).to_have_count(1)
    # what was typed is kept
    expect(page.locator("#f-customer_name")).to_have_value("华东精密机械有限公司")
    expect(page.locator("#f-purpose")).to_have_value("流动资金周转")
    page.screenshot(path="/tmp/intake_error.png", full_page=True)

    fill_intake(page, demo_uscc(1))
    submit_task(page)
    page.wait_for_url(CASE_URL)
    case_id = int(CASE_URL.search(page.url).group(1))

    # --- two years of statements, most recent first ----------------------------------------------
    open_ready_task(page)
    expect(page.locator("input[name='statements-1-total_assets']")).to_be_visible()
    for index, statement in enumerate(reversed(factories.statements())):
        for item in STATEMENT_ITEMS:
            value = statement[item]
            page.fill(
                f"[name='statements-{index}-{item}']", str(value) if item == "fiscal_year" else f"{value:,}"
            )
    page.screenshot(path="/tmp/statements.png", full_page=True)
    submit_task(page)
    page.wait_for_url(CASE_URL)

    # --- review and propose ----------------------------------------------------------------------
    open_ready_task(page)
    for field, default in (("proposed_term_months", "12"), ("proposed_margin_pct", "1.2")):
        if not page.locator(f"#f-{field}").input_value():
            page.fill(f"#f-{field}", default)
    assert page.locator("#f-proposed_limit").input_value(), "the proposed limit should be prefilled"
    page.fill("#f-officer_opinion", "经营稳健，现金流充足，建议授信。")
    submit_task(page)
    page.wait_for_url(CASE_URL)
    log_out(page)

    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        level = instance.summary["approval_level"]
        reference = instance.reference
    assert level in (1, 2, 3)

    # --- the approver with the authority the case needs signs it off ----------------------------
    log_in(page, f"approver{level}")
    page.locator("header nav").get_by_role("link", name=INBOX_LINK).click()
    page.wait_for_url(re.compile(r"/inbox"))
    row = page.locator("main table tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    row.locator("td").first.locator("a").click()
    page.wait_for_url(TASK_URL)
    page.check("input[name=decision][value=approve]")
    page.fill("#f-comment", "同意授信，按季跟踪财务状况。")
    page.screenshot(path="/tmp/signoff.png", full_page=True)
    submit_task(page)
    page.wait_for_url(CASE_URL)
    assert int(CASE_URL.search(page.url).group(1)) == case_id
    expect(page.locator("#signoffs")).to_contain_text("同意授信，按季跟踪财务状况。")
    expect(page.locator(".status-approved")).to_have_count(0)  # the limit waits for compliance
    log_out(page)

    # --- compliance signs it off: only now does the limit become active --------------------------
    log_in(page, "compliance")
    page.goto(f"/cases/{case_id}")
    page.wait_for_url(CASE_URL)
    open_ready_task(page)
    page.check("#f-kyc_complete")
    page.fill("#f-kyc_evidence", "营业执照、法定代表人身份证件已核验")
    page.check("input[name=sanctions_screening][value=clear]")
    page.fill("#f-sanctions_evidence", "制裁名单筛查未命中")
    page.check("input[name=related_party][value=none]")
    page.fill("#f-related_party_evidence", "关联方名单比对无关联")
    page.check("#f-regulatory_limits")
    page.fill("#f-limits_evidence", "集中度在限额内")
    page.check("#f-documents_present")
    page.fill("#f-documents_evidence", "资料齐全")
    page.check("input[name=compliance_decision][value=sign_off]")
    submit_task(page)
    page.wait_for_url(CASE_URL)

    expect(page.locator(".status-approved")).to_have_text(re.compile("已批准|[Aa]pproved"))
    expect(page.locator("#signoffs")).to_contain_text(
        "同意授信，按季跟踪财务状况。"
    )  # said once, in the record
    expect(page.locator(".timeline")).not_to_contain_text("同意授信，按季跟踪财务状况。")
    expect(
        page.locator('.timeline a.signed-above[href="#signoffs"]').first
    ).to_be_visible()  # which points there
    page.screenshot(path="/tmp/case_page.png", full_page=True)

    with app.app_context():
        facility = db.session.scalar(select(Facility).where(Facility.instance_id == case_id))
        assert facility is not None and facility.status == "active"
