"""Browser test of the case library (案例库): a risk manager records a case analysis on its task page (root causes
ticked, the outcome chosen), compliance approves it, and the library lists the entry with its causes drawn as a
chart; the entry opens with the customer's timeline."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import CaseAnalysis, HumanTask
from app.services.analytics.case_library import start
from app.services.cases import tasks
from tests import factories
from tests.browser.pages import log_in, submit_task
from tests.workflows.test_warning_escalation import approved_customer


def test_a_risk_manager_analyses_a_case_and_the_approved_entry_is_in_the_library(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        factories.deploy()
        people = factories.people()
        customer = approved_customer(people)
        case = start.start_by_hand(people.risk, customer.id, {"kind": "manual"})
        case_id = case.id
        task_id = db.session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == case_id, HumanTask.task_spec == "record_analysis"
            )
        )

    log_in(page, "risk")
    page.goto(f"/tasks/{task_id}")
    expect(page.locator("h1")).to_contain_text("撰写案例分析")
    page.fill("#f-title", "资金挪用未被及时发现")
    page.locator("#f-root_causes-opt-2").check()  # guarantee circle
    page.locator("#f-root_causes-opt-5").check()  # funds diverted
    page.fill("#f-missed_signals", "首次检查已发现资金转入关联企业。")
    page.fill("#f-lessons", "发现挪用应立即预警。")
    page.fill("#f-recommendation", "资金用途不符即触发重大预警。")
    page.fill("#f-tags", "担保圈，挪用")
    page.locator("#f-case_outcome").check()  # loss
    submit_task(page)
    page.wait_for_url(re.compile(rf"/cases/{case_id}$"))
    expect(page.locator("#analysis-record")).to_contain_text("资金挪用未被及时发现")

    with app.app_context():
        review = db.session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == case_id, HumanTask.task_spec == "review_analysis"
            )
        )
        tasks.complete(people.compliance, review.id, {"review_decision": "approve"})
        analysis_id = db.session.scalar(select(CaseAnalysis.id).where(CaseAnalysis.instance_id == case_id))

    page.goto("/analytics/cases")
    expect(page.locator("#library-list")).to_contain_text("资金挪用未被及时发现")
    expect(page.locator("#fig-causes canvas")).to_have_count(1)
    page.wait_for_function("() => !!Chart.getChart(document.querySelector('#fig-causes canvas'))")
    page.locator(f'#library-list a[href$="/analytics/cases/{analysis_id}"]').click()
    page.wait_for_url(re.compile(rf"/analytics/cases/{analysis_id}$"))
    expect(page.locator("#entry-analysis")).to_contain_text("担保圈风险")
    expect(page.locator("#entry-timeline")).to_be_visible()
