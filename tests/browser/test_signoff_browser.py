"""The sign-off inbox's filters and a credit committee vote, used through Chromium as the people involved do.

Cases are prepared through the services before anyone logs in; the database is read again only once the
page in front of the test has finished loading (the live server shares the test's SQLite connection).
Texts are matched in Chinese or English, so the tests pass whether or not the zh catalog is compiled.
"""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from app.extensions import db
from app.models import HumanTask, ProcessInstance
from app.models.base import utcnow
from app.services.cases import cases, tasks
from tests import factories
from tests.browser.pages import log_in, log_out, submit_task

CASE_URL = re.compile(r"/cases/(\d+)$")
INBOX_LINK = re.compile("审批待办|Sign-off inbox")
FILTER_BUTTON = re.compile(r"^\s*(筛选|Filter)\s*$")
SELECTS = ("grade", "segment", "sort")

# name, enterprise size, statement health, proposed limit -> grade, segment (all signed off at level <= 2)
EAST, STAR, RIVER, GALAXY = "东方电子有限公司", "星辰软件有限公司", "海川物流有限公司", "星河食品有限公司"
INBOX_CASES = [
    (EAST, "large", 1.5, 30_000_000, "AAA", "large_corporate"),
    (STAR, "medium", 1.3, 8_000_000, "A", "mid_corporate"),
    (RIVER, "small", 1.2, 1_000_000, "BBB", "sme"),
    (GALAXY, "micro", 1.3, 5_000_000, "A", "micro"),
]


# --- helpers ------------------------------------------------------------------------------------------


def open_inbox(page: Page) -> None:
    page.locator("header nav").get_by_role("link", name=INBOX_LINK).click()
    page.wait_for_url(re.compile(r"/inbox$"))


def settle(page: Page) -> None:
    """Wait until the page and everything it fetches (diagram, scripts) are loaded: the database is free."""
    page.wait_for_load_state("networkidle")


def at_signoff(
    officer, index: int, name: str, size: str, health: float, amount: int
) -> tuple[int, str, dict]:
    """A case waiting for its approval sign-off; returns (sign-off task id, case reference, summary)."""
    case = cases.start_case(officer, "credit_application")
    tasks.complete(
        officer,
        factories.open_task(case.id, "application_intake").id,
        factories.intake(index, customer_name=name, size=size, requested_amount=amount),
    )
    tasks.complete(
        officer,
        factories.open_task(case.id, "financial_statements").id,
        {"statements": factories.statements(health=health)},
    )
    db.session.refresh(case)
    tasks.complete(
        officer,
        factories.open_task(case.id, "review_proposal").id,
        factories.review(case, proposed_limit=amount),
    )
    db.session.refresh(case)
    return factories.open_task(case.id, "approval_signoff").id, case.reference, dict(case.summary)


def apply_filters(page: Page, **values: str) -> int:
    """Fill the inbox's filter form as a user would, submit it, and return the answer's HTTP status."""
    form = page.locator("main form[role=search]")
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if name in SELECTS:
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name=FILTER_BUTTON).click()
    return navigation.value.status


def expect_rows(page: Page, customers: list[str]) -> None:
    """The inbox lists exactly these customers in this order, and its count badge agrees."""
    expect(page.locator("main h1 .badge")).to_have_text(str(len(customers)))
    if customers:
        expect(page.locator("main table.grid tbody tr td:nth-child(3)")).to_have_text(customers)
    else:
        expect(page.locator("main table.grid tbody td.empty")).to_have_count(1)


def open_row_task(page: Page, reference: str, task_id: int) -> None:
    """In a task table, follow the task link of the case ``reference``."""
    row = page.locator("main table.grid tbody tr").filter(has_text=reference)
    expect(row).to_have_count(1)
    row.locator("td").first.locator("a").click()
    page.wait_for_url(re.compile(rf"/tasks/{task_id}$"))


def vote(page: Page, decision: str, comment: str) -> None:
    page.check(f"input[name=decision][value={decision}]")
    page.fill("#f-comment", comment)
    submit_task(page)


# --- the inbox's filters --------------------------------------------------------------------------------


def test_the_approver_narrows_sorts_and_searches_the_inbox_and_opens_the_next(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        made = {}
        for index, (name, size, health, amount, grade, segment) in enumerate(INBOX_CASES, start=81):
            task_id, reference, summary = at_signoff(people.officer, index, name, size, health, amount)
            assert (summary["grade"], summary["segment"], summary["approval_route"]) == (
                grade,
                segment,
                "single",
            )
            made[name] = task_id, reference
        # the first case has been waiting five days
        db.session.execute(
            update(HumanTask)
            .where(HumanTask.id == made[EAST][0])
            .values(created_at=utcnow() - timedelta(days=5))
        )
        db.session.commit()

    log_in(page, "approver3")
    open_inbox(page)
    expect_rows(page, [EAST, STAR, RIVER, GALAXY])  # oldest first
    expect(page.locator("#open-next")).to_have_attribute(
        "href", re.compile(rf"/tasks/{made[EAST][0]}\?queue=")
    )

    # an amount range, cheapest first; what was chosen stays in the form
    assert apply_filters(page, min_amount="3,000,000", max_amount="10000000", sort="amount_asc") == 200
    expect_rows(page, [GALAXY, STAR])
    expect(page.locator("[name=min_amount]")).to_have_value("3,000,000")
    expect(page.locator("[name=sort]")).to_have_value("amount_asc")

    # a grade, then a grade and a segment
    apply_filters(page, min_amount="", max_amount="", grade="A")
    expect_rows(page, [GALAXY, STAR])
    expect(page.locator("[name=grade]")).to_have_value("A")
    apply_filters(page, segment="micro")
    expect_rows(page, [GALAXY])
    apply_filters(page, grade="AAA", segment="")
    expect_rows(page, [EAST])
    apply_filters(page, grade="", segment="sme")
    expect_rows(page, [RIVER])

    # waiting at least three days
    apply_filters(page, segment="", waiting_days="3")
    expect_rows(page, [EAST])

    # a search by customer name, most expensive first; "Open next" opens the first of that list
    apply_filters(page, waiting_days="", q="星", sort="amount_desc")
    expect_rows(page, [STAR, GALAXY])
    expect(page.locator("[name=q]")).to_have_value("星")
    page.locator("#open-next").click()
    page.wait_for_url(re.compile(rf"/tasks/{made[STAR][0]}\?queue="))
    expect(page.locator("main .heading .meta")).to_contain_text(made[STAR][1])
    page.go_back()
    page.wait_for_url(re.compile(r"/inbox\?"))

    # a search by case reference
    apply_filters(page, q=made[RIVER][1], sort="oldest")
    expect_rows(page, [RIVER])

    # nothing found: an empty list and nothing to open
    apply_filters(page, q="不存在的公司")
    expect_rows(page, [])
    expect(page.locator("#open-next")).to_have_count(0)

    # a value that cannot be read: 422, the message names the field by its label, the field is marked and
    # keeps the input, and the filters that could be read still apply
    assert apply_filters(page, q="", grade="A", min_amount="lots") == 422
    alert = page.locator("#filter-errors")
    expect(alert).to_have_count(1)
    expect(alert.locator("li")).to_have_count(1)
    expect(alert).to_contain_text("金额自")
    expect(page.locator("[name=min_amount]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[name=min_amount]")).to_have_value("lots")
    expect(page.locator("[name=max_amount]")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("[name=grade]")).to_have_value("A")
    expect_rows(page, [STAR, GALAXY])  # the grade still narrows the list (largest first, as last sorted)

    # a negative waiting time is refused the same way
    assert apply_filters(page, grade="", min_amount="", waiting_days="-2") == 422
    expect(alert).to_contain_text("等待至少（天）")
    expect(page.locator("[name=waiting_days]")).to_have_attribute("aria-invalid", "true")


# --- the credit committee -------------------------------------------------------------------------------


def test_the_committee_votes_in_the_browser_and_the_case_goes_on_to_compliance(app, browser_page: Page):
    page = browser_page
    with app.app_context():
        people = factories.people()
        factories.deploy()
        case = factories.case_routed("committee", people.officer)
        case_id, reference = case.id, case.reference
        ballot = {
            t.assignee.username: t.id
            for t in db.session.scalars(
                select(HumanTask).where(
                    HumanTask.instance_id == case_id,
                    HumanTask.task_spec == "committee_vote",
                    HumanTask.state == "ready",
                )
            )
        }
    assert set(ballot) == {"member1", "member2", "cro"}

    # --- member1 finds the vote in the sign-off inbox, tries a veto, is refused, and approves ------------
    log_in(page, "member1")
    open_inbox(page)
    expect_rows(page, ["华东精密机械有限公司"])
    open_row_task(page, reference, ballot["member1"])
    expect(page.locator("main h1")).to_have_text(re.compile("贷审会表决|Committee vote"))
    # the veto is the cro group's: it is not offered to anyone else (a forged one is refused, see the page tests)
    expect(page.locator("input[name=decision][value=veto]")).to_have_count(0)
    expect(page.locator("input[name=decision][value=approve]")).to_have_count(1)
    vote(page, "approve", "同意，第一还款来源充足。")
    page.wait_for_url(CASE_URL)
    assert int(CASE_URL.search(page.url).group(1)) == case_id
    log_out(page)

    # --- member2 finds it under "My tasks" and rejects; a reject needs a comment --------------------------
    log_in(page, "member2")
    open_row_task(page, reference, ballot["member2"])
    page.check("input[name=decision][value=reject]")
    submit_task(page)
    expect(page.locator("#f-comment-error")).to_be_visible()
    expect(page.locator("#f-comment")).to_have_attribute("aria-invalid", "true")
    vote(page, "reject", "行业周期下行，集中度偏高。")
    page.wait_for_url(CASE_URL)
    log_out(page)

    # --- the chief risk officer opens it with "Open next" and approves -----------------------------------
    log_in(page, "cro")
    open_inbox(page)
    expect_rows(page, ["华东精密机械有限公司"])
    page.locator("#open-next").click()
    page.wait_for_url(re.compile(rf"/tasks/{ballot['cro']}\?queue="))
    expect(page.locator("input[name=decision][value=veto]")).to_have_count(1)  # the chief risk officer's
    expect(page.locator("#queue-note")).to_be_visible()
    vote(page, "approve", "同意，附加按季监测条件。")
    # opened from the queue: the next one of it opens, and with none left, the inbox says so
    page.wait_for_url(re.compile(r"/inbox"))
    expect(page.get_by_text("此列表中已没有待办。")).to_be_visible()
    page.goto(f"/cases/{case_id}")

    # --- the case page: every vote with its comment, the tally, and the next step ---------------------------
    signoffs = page.locator("#signoffs")
    for comment, decision in (
        ("同意，第一还款来源充足。", "approve"),
        ("行业周期下行，集中度偏高。", "reject"),
        ("同意，附加按季监测条件。", "approve"),
    ):
        row = signoffs.locator("tbody tr").filter(has_text=comment)
        expect(row).to_have_count(1)
        expect(row.locator(f".decision-{decision}")).to_have_count(1)
    for member in ("member1", "member2", "cro"):
        expect(signoffs.locator("tbody tr").filter(has_text=member)).to_have_count(1)
    tally = signoffs.locator("p.meta")
    expect(tally).to_contain_text(re.compile(r"(贷审会|Committee)\s*[:：]\s*(已批准|[Aa]pproved)"))
    expect(tally).to_contain_text(
        re.compile(r"2 for, 1 against, 0 abstaining, 3 of 3 members voting|2\D+1\D+0\D+3\D+3")
    )
    expect(page.locator(".heading .meta")).to_contain_text(re.compile("合规审查清单|Compliance checklist"))
    expect(page.locator(".heading .status-approved")).to_have_count(0)  # the limit waits for compliance
    settle(page)
    with app.app_context():
        instance = db.session.get(ProcessInstance, case_id)
        committee = instance.summary["committee"]
        assert (committee["result"], committee["approve"], committee["reject"], committee["cast"]) == (
            "approved",
            2,
            1,
            3,
        )
        compliance_task = factories.open_task(case_id, "compliance_checklist").id
    log_out(page)

    # --- and compliance has it in their tasks ------------------------------------------------------------
    log_in(page, "compliance")
    open_row_task(page, reference, compliance_task)
    expect(page.locator("main h1")).to_have_text(re.compile("合规审查清单|Compliance checklist"))
