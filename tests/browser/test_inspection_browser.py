"""Browser test of a post-loan inspection (贷后检查) from the visit to the next one, one screen after another:

- the officer opens the first inspection after a drawdown from "My tasks", attaches a site photo from the task,
  records the visit — the collateral's state asked for once it was seen, two findings entered as rows of the
  findings table — and the case page shows the record and its findings awaiting the manager's sign-off;
- the branch's approver (approver1, the approver lane) finds it under 待审核 on the inspections list (贷后与风险 →
  贷后检查), opens the sign-off (审核签发) from the sign-off inbox, reads the record above the form and signs it
  off: the case shows the sign-off and the next inspection, the database the inspection signed off, and the list
  moves it to 近期发现的问题 (its medium finding) as 已审核;
- the customer's officer, on the customer page, sees the last visit signed off and starts an ad hoc inspection
  (发起贷后检查): without a warning or a reason it is refused naming the reason; answering the warning the
  medium finding raised, it opens at once on the officer's new record task.

The sign-off's job (the warning rules for that customer) runs in this process. Nothing is logged on the console
but the refused start's 422."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import EarlyWarning, HumanTask, Inspection, ProcessInstance
from app.services.customers.inspections import planning
from tests import factories, files
from tests.browser.pages import log_in, log_out, submit_task

pytestmark = pytest.mark.usefixtures("jobs_here")  # the warning rules a sign-off queues run at once, here


def ready_task(case_id: int, spec: str) -> HumanTask | None:
    return db.session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == case_id, HumanTask.task_spec == spec, HumanTask.state == "ready"
        )
    )


def open_inspections_list(page: Page) -> None:
    page.locator("#menu-risk summary").click()
    page.locator("#inspections-link").click()
    page.wait_for_url(re.compile(r"/inspections$"))
    expect(page.locator("main h1")).to_have_text("贷后检查")
    expect(page.locator("main .heading .meta")).to_contain_text("本分行客户")  # an approver: the branch


def test_an_inspection_is_recorded_signed_off_listed_and_an_ad_hoc_one_started(
    app, browser_page: Page, tmp_path
):
    page = browser_page
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"{page.url}: uncaught {error}"))
    page.on("console", lambda m: m.type == "error" and problems.append(f"{page.url}: {m.text}"))
    with app.app_context():
        factories.deploy()
        people = factories.people()
        factories.approved_case(people, 1)
        [case_id] = planning.start_due()
        task_id = ready_task(case_id, "record_visit").id
    photo = tmp_path / "厂房.png"
    photo.write_bytes(files.png())

    # --- the officer records the visit --------------------------------------------------------------------
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
    page.wait_for_load_state("networkidle")  # the diagram fetched: the database is the test's again
    with app.app_context():
        inspection = db.session.scalar(select(Inspection).where(Inspection.instance_id == case_id))
        assert inspection.status == "submitted" and inspection.worst_severity == "medium"
        assert [f["severity"] for f in inspection.findings] == ["medium", "low"]
        inspection_id, customer_id = inspection.id, inspection.customer_id
        reference = inspection.instance.reference
        signoff = ready_task(case_id, "sign_off_inspection")
        assert (signoff.lane, signoff.assignee_id) == ("approver", None)  # the approvers' queue
        signoff_id = signoff.id
    log_out(page)

    # --- the approver sees it awaiting sign-off, signs it off from the inbox --------------------------------
    log_in(page, "approver1")
    open_inspections_list(page)
    row = page.locator(f"#awaiting tr[data-inspection='{inspection_id}']")
    expect(row).to_have_attribute("data-status", "submitted")
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text("放款后首次检查（资金用途核查）")
    expect(row.get_by_role("link", name=reference)).to_be_visible()
    expect(page.locator("#findings tbody td.empty")).to_have_text("近期没有中、高级问题。")

    page.locator("header nav").get_by_role("link", name="审批待办").click()
    page.wait_for_url(re.compile(r"/inbox$"))
    inbox_row = page.locator("main table.grid tbody tr").filter(has_text=reference)
    expect(inbox_row).to_contain_text("贷后检查")
    inbox_row.get_by_role("link", name="审核签发").click()
    page.wait_for_url(re.compile(rf"/tasks/{signoff_id}$"))
    expect(page.locator("main h1")).to_have_text("审核签发")
    record = page.locator("#decided-on")  # what the visit found, above the form
    expect(record.locator("#inspection-record")).to_contain_text("抵押厂房完好，借款人自用。")
    expect(record.locator("#inspection-findings tbody tr")).to_have_count(2)
    expect(page.locator("#task-documents")).to_contain_text("厂房现场照片")
    expect(page.locator("form.task-form")).to_contain_text("审核结论")
    page.check("input[name=signoff_decision][value=sign_off]")  # 审核通过
    page.fill("#f-signoff_comment", "同意，关注成品库存变化。")
    submit_task(page)

    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    expect(page.locator("#inspection-signoff")).to_contain_text("审核通过")
    expect(page.locator("#inspection-signoff")).to_contain_text("同意，关注成品库存变化。")
    about = page.locator("#inspection-about")
    expect(about.locator(".status-signed_off")).to_have_text("已审核")
    expect(about).to_contain_text("下次检查")  # the frequency table, read again
    page.wait_for_load_state("networkidle")
    with app.app_context():
        db.session.expire_all()
        inspection = db.session.get(Inspection, inspection_id)
        assert (inspection.status, inspection.signed_off_by_id) == ("signed_off", people.approver1.id)
        assert inspection.sign_off_comment == "同意，关注成品库存变化。"
        assert db.session.get(ProcessInstance, case_id).status == "completed"
        assert db.session.get(HumanTask, signoff_id).state == "completed"
        warning = db.session.scalar(
            select(EarlyWarning).where(
                EarlyWarning.customer_id == customer_id, EarlyWarning.code == "inspection_finding"
            )
        )
        assert warning is not None and warning.status == "open"  # raised by the medium finding
        warning_id = warning.id

    open_inspections_list(page)
    expect(page.locator("#awaiting tbody td.empty")).to_have_text("没有待审核的贷后检查。")
    row = page.locator(f"#findings tr[data-inspection='{inspection_id}']")
    expect(row).to_have_attribute("data-status", "signed_off")
    expect(row.locator(".status")).to_have_text("已审核")
    expect(row.locator("[data-severity]")).to_have_text("中")
    log_out(page)

    # --- the officer starts an ad hoc inspection from the customer page -----------------------------------
    log_in(page, "officer")
    page.goto(f"/customers/{customer_id}")
    expect(page.locator("#last-inspection")).to_contain_text("approver1 于")
    expect(page.locator("#last-inspection")).to_contain_text("审核通过")
    page.locator("#start-inspection").click()
    page.wait_for_url(re.compile(rf"/customers/{customer_id}/inspections/new$"))
    expect(page.locator("main h1")).to_have_text("发起贷后检查")
    form = page.locator("#inspection-form")
    form.get_by_role("button", name="发起检查").click()  # neither a warning nor a reason
    expect(form.locator(".form-error-summary")).to_contain_text("贷后检查未发起。")
    expect(form.locator(".form-error-summary")).to_contain_text("检查原因")
    expect(page.locator("#i-reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#i-warning_id option[value='{warning_id}']")).to_contain_text("贷后检查发现问题")
    page.select_option("#i-warning_id", str(warning_id))
    form.get_by_role("button", name="发起检查").click()

    page.wait_for_url(re.compile(r"/tasks/\d+$"))  # the officer who started it holds its first task
    expect(page.locator(".flash")).to_contain_text(re.compile(r"贷后检查 PI-\d{4}-\d{6} 已发起。"))
    expect(page.locator("main h1")).to_contain_text("记录贷后检查")
    expect(page.locator("#f-inspection_kind")).to_contain_text("临时贷后检查")
    expect(page.locator("#f-warning_name")).to_contain_text("贷后检查发现问题")
    page.wait_for_load_state("networkidle")
    with app.app_context():
        ad_hoc = db.session.scalar(
            select(Inspection).where(Inspection.customer_id == customer_id, Inspection.kind == "ad_hoc")
        )
        assert (ad_hoc.status, ad_hoc.warning_id, ad_hoc.requested_by_id) == (
            "open",
            warning_id,
            people.officer.id,
        )
        assert ad_hoc.instance_id not in (None, case_id)
        first = ready_task(ad_hoc.instance_id, "record_visit")
        assert first is not None and first.assignee_id == people.officer.id
        assert (
            page.url.endswith(f"/tasks/{first.id}")
            and ad_hoc.instance.reference in page.locator(".flash").inner_text()
        )

    assert [p for p in problems if "422" not in p] == [], problems  # only the refused start's answer
