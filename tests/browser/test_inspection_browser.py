"""Browser test of a post-loan inspection visit (贷后检查): the officer opens the first inspection after a
drawdown from "My tasks", attaches a site photo from the task, records the visit — the collateral's state
asked for once it was seen, two findings entered as rows of the findings table — and the case page shows the
record and its findings awaiting the manager's sign-off."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import HumanTask, Inspection
from app.services.customers.inspections import planning
from tests import factories, files
from tests.browser.pages import log_in, submit_task


def test_an_officer_records_an_inspection_visit_with_a_photo_and_findings(app, browser_page: Page, tmp_path):
    page = browser_page
    with app.app_context():
        factories.deploy()
        people = factories.people()
        factories.approved_case(people, 1)
        [case_id] = planning.start_due()
        task_id = db.session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == case_id, HumanTask.task_spec == "record_visit"
            )
        )
    photo = tmp_path / "厂房.png"
    photo.write_bytes(files.png())

    log_in(page, "officer")
    page.locator(f'a[href$="/tasks/{task_id}"]').first.click()
    page.wait_for_url(re.compile(rf"/tasks/{task_id}$"))
    expect(page.locator("h1")).to_contain_text("记录贷后检查")
    expect(page.locator("#f-purpose")).to_contain_text("流动资金周转")  # the agreed purpose, to trace

    page.locator("#attach-to-task").click()
    page.wait_for_url(re.compile(r"/documents/new\?"))
    page.locator("#d-file").set_input_files(str(photo))
    page.fill("#d-title", "厂房现场照片")
    page.locator("#document-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/tasks/{task_id}#task-documents$"))
    expect(page.locator("#task-documents")).to_contain_text("厂房现场照片")

    page.fill("#f-visited_on", local_today().isoformat())
    page.locator("#f-visit_mode").check()  # on site
    page.fill("#f-people_met", "陈建国（财务负责人）")
    page.fill("#f-operations", "生产正常，订单排产至下季度。")
    page.fill("#f-premises", "厂房、仓库正常使用。")
    page.fill("#f-use_of_funds", "贷款资金已支付给两家原材料供应商，合同、发票齐全。")
    page.locator("#f-funds_match_purpose").check()  # matches the purpose
    expect(page.locator("#f-collateral_state")).to_be_hidden()  # asked only once the collateral was seen
    page.locator("#f-collateral_seen").check()
    page.fill("#f-collateral_state", "抵押厂房完好，借款人自用。")
    page.select_option("#f-findings-0-severity", "medium")
    page.select_option("#f-findings-0-area", "operations")
    page.fill("#f-findings-0-text", "成品库存较上次增加约三成。")
    page.select_option("#f-findings-1-severity", "low")
    page.select_option("#f-findings-1-area", "premises")
    page.fill("#f-findings-1-text", "仓库消防通道堆放杂物。")
    page.fill("#f-conclusion", "经营正常，资金用途与约定一致。")
    submit_task(page)

    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    expect(page.locator("#inspection-record")).to_contain_text("抵押厂房完好")
    findings = page.locator("#inspection-findings")
    expect(findings).to_contain_text("成品库存较上次增加约三成")
    expect(findings).to_contain_text("仓库消防通道堆放杂物")
    with app.app_context():
        inspection = db.session.scalar(select(Inspection).where(Inspection.instance_id == case_id))
        assert inspection.status == "submitted" and inspection.worst_severity == "medium"
        assert [f["severity"] for f in inspection.findings] == ["medium", "low"]
