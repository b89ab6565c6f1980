"""Browser tests of the designer's workspace: the BPMN modeler with our properties panel, a draft saved, its
check shown as running until a worker has done it, and its problem marked on the diagram element it concerns; the version diff on both diagrams; a DMN cell
edited in dmn-js, its impact on the portfolio, the four-eyes deployment, and a new case on the new version."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Customer, Facility, ProcessDefinition, ProcessInstance
from app.services.admin import users
from app.services.design.workspace import draft_checks
from app.services.monitoring import portfolio_inputs
from tests import factories
from tests.browser.pages import BPMN_MODELER, log_in, log_out
from tests.services.test_policy_impact import seed_portfolio

pytestmark = pytest.mark.usefixtures("jobs_here")  # a draft's check, a job, runs in this process

BPMN_EDITOR = "/designer/edit/workflows/credit_application.bpmn"


@pytest.fixture
def slow_worker(no_worker, monkeypatch):
    """The check's job is not run at the save: a worker finishes it between the editor's second and third
    asking (run in the server's thread, which the page's requests go through)."""
    asked = {}
    real = draft_checks.status

    def status(user, check_id):
        asked[check_id] = asked.get(check_id, 0) + 1
        if asked[check_id] == 2:
            draft_checks.run(check_id)
        return real(user, check_id)

    monkeypatch.setattr(draft_checks, "status", status)
    return asked


def test_a_designer_edits_a_lane_in_the_modeler_and_sees_the_problem_on_it(
    app, browser_page: Page, workspace_copy, slow_worker
):
    page = browser_page
    with app.app_context():
        factories.people()
        factories.deploy()
    log_in(page, "designer")
    page.goto(BPMN_EDITOR)
    canvas = page.locator("#bpmn-canvas")
    expect(canvas.locator("g.djs-element[data-element-id=rate_customer]")).to_have_count(1, timeout=15_000)

    # a business rule task shows the decision it calls
    canvas.locator("g.djs-element[data-element-id=rate_customer]").first.click()
    panel = page.locator("#properties")
    expect(panel.locator("select[name=decision]")).to_have_value("credit_rating")

    # a lane named after a group nobody belongs to: saved as a draft, and marked on the lane
    page.evaluate(f"""async () => {{ const m = {BPMN_MODELER};
        m.get('selection').select(m.get('elementRegistry').get('Lane_officer')); }}""")
    group = panel.locator("input[name=name]")
    expect(group).to_have_value("officer")
    group.fill("nobody")
    group.press("Tab")
    page.locator("#save-draft").click()
    expect(page.locator("#save-status")).to_contain_text("1")
    expect(page.locator("#problem-count")).to_contain_text(
        "正在检查工作副本"
    )  # the save did not wait for the check
    expect(page.locator("#problems li[data-element=Lane_officer]")).to_contain_text("nobody")
    assert max(slow_worker.values()) >= 2  # shown once the editor asked again
    expect(canvas.locator("g.djs-element.has-problem[data-element-id=Lane_officer]")).to_have_count(1)
    expect(canvas.locator(".problem-badge[data-element=Lane_officer]")).to_have_count(1)

    # reopened, the draft is there with its problem marked
    page.reload()
    expect(canvas.locator("g.djs-element.has-problem[data-element-id=Lane_officer]")).to_have_count(
        1, timeout=15_000
    )
    expect(page.locator("#editor-bar")).to_have_attribute("data-revision", "1")


def test_the_version_diff_is_drawn_on_both_diagrams(app, browser_page: Page, workspace_copy):
    page = browser_page
    path = workspace_copy / "workflows" / "credit_application.bpmn"
    with app.app_context():
        factories.people()
        factories.deploy()
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                "Capture application / 录入授信申请", "Capture the application / 录入授信申请", 1
            ),
            encoding="utf-8",
        )
        factories.deploy()
    log_in(page, "designer")
    page.goto("/designer/credit_application/diff")
    after = page.locator("#diagram-after")
    expect(after).to_have_attribute("data-ready", "true", timeout=15_000)
    expect(after.locator("g.djs-element.diff-changed[data-element-id=application_intake]")).to_have_count(1)
    before = page.locator("#diagram-before")
    expect(before).to_have_attribute("data-ready", "true")
    expect(before.locator("g.djs-element.diff-changed[data-element-id=application_intake]")).to_have_count(1)
    expect(before.locator("g.djs-element.diff-changed[data-element-id=rate_customer]")).to_have_count(0)


def test_a_designer_edits_a_dmn_cell_sees_its_impact_deploys_and_a_new_case_runs_on_it(
    app, browser_page: Page, workspace_copy
):
    """The issue's path: a cell edited in dmn-js, the impact on the portfolio seen (and equal to a direct count),
    the draft saved, a deployment requested, approved by a second designer, and a new application on v2."""
    page = browser_page
    with app.app_context():
        people = factories.people()
        users.create_user("designer2", "designer", factories.PASSWORD, actor=people.admin)
        factories.deploy()
        seed_portfolio(30)
        # at least two live B-grade large corporates, whose limit cap the edited cell sets
        live = select(Facility.customer_id).where(Facility.status.in_(portfolio_inputs.LIVE))
        customers = db.session.scalars(
            select(Customer).where(Customer.id.in_(live)).order_by(Customer.id)
        ).all()
        for customer in customers[:2]:
            customer.grade, customer.segment = "B", "large_corporate"
        db.session.commit()
        expected = sum(1 for c in customers if (c.grade, c.segment) == ("B", "large_corporate"))

    log_in(page, "designer")
    page.goto("/designer/edit/rules/limit_proposal.dmn")
    cell = page.locator("td[data-row-id=Rule_limit_proposal_07][data-col-id=Output_limit_cap]")
    expect(cell).to_contain_text("20000000", timeout=15_000)
    cell.locator("[contenteditable]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("10000000")
    page.locator("#impact-panel h2").click()  # leave the cell
    expect(cell).to_contain_text("10000000")

    page.locator("#run-impact").click()
    impact = page.locator("#impact [data-impact-root]")
    expect(impact).to_have_attribute("data-changed", str(expected), timeout=15_000)
    transitions = page.locator("#impact table.transitions[data-output=limit_cap]")
    expect(transitions).to_contain_text("20,000,000")
    expect(transitions).to_contain_text("10,000,000")
    expect(page.locator("#impact canvas[data-impact-chart][data-ready=true]").first).to_be_attached()

    page.locator("#save-draft").click()
    expect(page.locator("#editor-bar")).to_have_attribute("data-revision", "1")
    expect(page.locator("#problem-count")).to_have_class(re.compile("sla-on_time"))

    page.goto("/designer")
    page.fill("#request-deployment input[name=note]", "B 级大型企业额度上限下调至一千万")
    page.locator("#request-deployment button[type=submit]").click()
    expect(page.locator("#deployment-requests tbody tr").first).to_contain_text(
        "B 级大型企业额度上限下调至一千万"
    )
    log_out(page)

    log_in(page, "designer2")
    page.goto("/designer")
    page.locator("#deployment-requests form[action$='/approve'] button").first.click()
    expect(page.locator("#deployment-requests tbody tr").first.locator("form")).to_have_count(0)  # decided
    log_out(page)
    with app.app_context():
        v2 = db.session.scalar(
            select(ProcessDefinition)
            .where(ProcessDefinition.process_id == "credit_application")
            .order_by(ProcessDefinition.version.desc())
        )
        assert v2.version == 2 and "<text>10000000</text>" in v2.dmn_files["limit_proposal.dmn"]
    assert "<text>10000000</text>" in (workspace_copy / "rules" / "limit_proposal.dmn").read_text(
        encoding="utf-8"
    )

    log_in(page, "officer")
    page.get_by_role("button", name=re.compile("新建授信申请|New credit application")).click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    with app.app_context():
        case = db.session.scalar(
            select(ProcessInstance)
            .where(ProcessInstance.process_id == "credit_application")
            .order_by(ProcessInstance.id.desc())
        )
        assert case.definition.version == 2
