"""Work that nobody started or nobody could do, through Chromium: a warning the portfolio check raised reaches
the approver's 审批待办, and a committee case with no qualified member shows why it waits until the
administrator qualifies a member, whose vote then waits in their inbox.

Cases are prepared through the services before anyone logs in; the database is read again only once the page
in front of the test has finished loading (the live server shares the test's SQLite connection). Texts are
matched in Chinese or English, so the tests pass whether or not the zh catalog is compiled.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from app.extensions import db
from app.models import EarlyWarning, HumanTask, ProcessInstance, TrainingCompletion
from app.services.cases import tasks
from app.services.monitoring import portfolio
from tests import factories
from tests.browser.pages import log_in, log_out, submit_task
from tests.factories import approval_passes
from tests.workflows.test_warning_escalation import approved_customer, observe

INBOX_LINK = re.compile("审批待办|Sign-off inbox")
TASKS_LINK = re.compile("我的待办|My tasks")
CASE_URL = re.compile(r"/cases/(\d+)$")


def test_a_warning_the_portfolio_check_raised_reaches_the_approvers_sign_off_inbox(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        customer = approved_customer(people)
        observe(people, customer, on=date.today().isoformat(), days_past_due="45")
        [warning_id] = portfolio.scan().raised  # as beat runs it: nobody started the escalation
        case_id = db.session.get(EarlyWarning, warning_id).instance_id
        assert db.session.get(ProcessInstance, case_id).started_by_id is None
        tasks.complete(
            people.officer,
            factories.open_task(case_id, "investigate_warning").id,
            {"assessment": "confirmed", "findings": "逾期属实。"},
        )
        tasks.complete(
            people.risk,
            factories.open_task(case_id, "risk_review").id,
            {"action": "freeze", "expected_loss_pct": 10, "review_comment": "冻结额度。"},
        )
        approval = factories.open_task(case_id, "approve_control")
        approval_id, reference = approval.id, db.session.get(ProcessInstance, case_id).reference

    log_in(page, "approver2")
    page.locator("header nav").get_by_role("link", name=INBOX_LINK).click()
    page.wait_for_url(re.compile(r"/inbox$"))
    row = page.locator("table.grid tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(re.compile("审批风险控制措施|Approve the risk control"))
    row.locator("td").first.locator("a").click()
    page.wait_for_url(re.compile(rf"/tasks/{approval_id}$"))
    page.check("input[name=control_decision][value=approve]")
    submit_task(page)
    page.wait_for_url(CASE_URL)
    page.wait_for_load_state("networkidle")
    with app.app_context():
        assert db.session.get(HumanTask, approval_id).completed_by.username == "approver2"
    log_out(page)

    log_in(page, "officer")  # who investigated it never sees it (审贷分离), here or anywhere
    page.locator("header nav").get_by_role("link", name=TASKS_LINK).click()
    expect(page.locator("main")).not_to_contain_text(reference)


def test_a_committee_nobody_may_vote_on_waits_visibly_until_the_administrator_qualifies_a_member(
    app, browser_page: Page
):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        db.session.execute(
            delete(TrainingCompletion).where(
                TrainingCompletion.user_id.in_([people.member1.id, people.member2.id, people.cro.id]),
                approval_passes(),
            )
        )  # a fresh install: nobody qualified
        db.session.commit()
        case = factories.case_routed("committee", people.officer)
        case_id, reference = case.id, case.reference

    log_in(page, "officer")
    page.goto(f"/cases/{case_id}")
    expect(page.locator("main .heading")).to_contain_text(
        re.compile("可表决的贷审会委员|A committee member who may vote")
    )
    notice = page.locator("p.notice.staffing")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(re.compile("贷审会组|committee group"))
    page.wait_for_load_state("networkidle")
    log_out(page)

    log_in(page, "admin")
    waiting = page.locator("#waiting-for-people")
    expect(waiting).to_contain_text(reference)
    expect(waiting).to_contain_text(re.compile("登记审批资格|record a qualification"))
    page.goto(f"/admin/users/{people.cro.id}")  # Settings → Users → the member's page
    page.fill("#q-certificate", "CQ-2026-0900")
    page.fill("#q-valid_until", "2099-12-31")
    page.locator("#qualifications button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/users/{people.cro.id}#qualifications$"))
    page.goto(f"/cases/{case_id}")
    expect(page.locator("p.notice.staffing")).to_have_count(0)
    expect(page.locator("main .heading")).to_contain_text(re.compile("贷审会表决|Committee vote"))
    page.wait_for_load_state("networkidle")
    log_out(page)

    with app.app_context():
        vote_id = db.session.scalar(
            select(HumanTask.id).where(
                HumanTask.instance_id == case_id,
                HumanTask.task_spec == "committee_vote",
                HumanTask.state == "ready",
            )
        )
    log_in(page, "cro")
    page.locator("header nav").get_by_role("link", name=INBOX_LINK).click()
    row = page.locator("table.grid tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    row.locator("td").first.locator("a").click()
    page.wait_for_url(re.compile(rf"/tasks/{vote_id}$"))
    expect(page.locator("main h1")).to_have_text(re.compile("贷审会表决|Committee vote"))
