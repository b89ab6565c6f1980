"""Each thing said once: the approver's page shows the proposal above the form and not again inside it, the
case page shows an approver's comment in its sign-off record and its timeline points there, and a cell
refused for several reasons lists each reason as a bullet."""

from __future__ import annotations

import re
from datetime import date

import pytest

from app.extensions import db
from app.models import EarlyWarning
from app.services.cases import tasks
from app.services.monitoring import portfolio
from tests.factories import case_at, case_routed, compliance_sign_off, open_task, statements
from tests.web.test_coded_values import page_text
from tests.web.test_pages import text_of, version_in
from tests.workflows.test_warning_escalation import approved_customer, escalation, observe, ready

COMMENT = "同意授信，按季跟踪应收账款周转。"


class Body:
    """A page already read, for ``page_text``."""

    def __init__(self, body: str):
        self.body = body

    def get_data(self, as_text: bool = True) -> str:
        return self.body


def page_text_of(body: str) -> str:
    return page_text(Body(body))


@pytest.fixture
def warned_at_approval(deployed, people):
    """A confirmed warning whose freeze waits for an approver."""
    customer = approved_customer(people)
    observe(people, customer, on=date.today().isoformat(), days_past_due="45")
    portfolio.scan(people.risk)
    case = escalation(db.session.query(EarlyWarning).filter_by(code="past_due_30").one())
    tasks.complete(
        people.officer,
        ready(case.id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "客户资金链紧张。"},
    )
    tasks.complete(
        people.risk,
        ready(case.id, "risk_review").id,
        {"action": "freeze", "expected_loss_pct": 10, "review_comment": "冻结额度，压缩敞口。"},
    )
    return ready(case.id, "approve_control")


def test_the_sign_off_page_shows_the_proposal_once(as_user, people):
    case = case_routed("single", people.officer)
    task = open_task(case.id, "approval_signoff")
    page = text_of(as_user("approver1").get(f"/tasks/{task.id}"))
    assert 'id="decided-on"' in page
    for name in (
        "grade",
        "approval_level",
        "proposed_limit",
        "proposed_term_months",
        "proposed_margin_pct",
        "proposed_controls",
        "officer_opinion",
    ):
        assert f'id="f-{name}"' not in page, name  # the form's read-only copy is not shown again
    opinion = case.summary.get("officer_opinion")
    assert opinion and page_text_of(page).count(opinion) == 1
    assert 'name="decision"' in page and 'name="comment"' in page  # what the approver enters stays


def test_the_control_approval_page_shows_the_action_once(warned_at_approval, as_user):
    page = text_of(as_user("approver3").get(f"/tasks/{warned_at_approval.id}"))
    assert 'id="escalation-action"' in page
    for name in ("action", "review_comment", "customer_name", "severity"):
        assert f'id="f-{name}"' not in page, name
    assert page_text_of(page).count("冻结额度，压缩敞口。") == 1


def test_an_approvers_comment_is_said_once_on_the_case_page(deployed, people, as_user):
    case = case_routed("single", people.officer)
    tasks.complete(
        people.approver1,
        open_task(case.id, "approval_signoff").id,
        {"decision": "approve", "comment": COMMENT},
    )
    compliance_sign_off(case, people.compliance)
    page = as_user("risk").get(f"/cases/{case.id}")
    assert page_text(page).count(COMMENT) == 1
    assert 'href="#signoffs"' in text_of(page)  # the timeline points to the record


def test_a_cell_refused_for_several_reasons_lists_each_as_a_bullet(as_user, people):
    case = case_at("statements", people.officer)
    officer = as_user("officer")
    task = open_task(case.id, "financial_statements")
    html = text_of(officer.get(f"/tasks/{task.id}"))
    years = statements()
    bad = years[1]
    bad["current_assets"] = bad["total_assets"] + 1000  # above total assets ...
    bad["cash"] = bad["current_assets"]  # ... and below cash + inventory + receivables
    post = {"_version": str(version_in(html))}
    for i, statement in enumerate(years):
        post.update({f"statements-{i}-{k}": str(v) for k, v in statement.items()})
    response = officer.post(f"/tasks/{task.id}", data=post)
    assert response.status_code == 422
    page = text_of(response)
    found = re.search(
        r'<ul class="form-error-message form-error-list" id="f-statements-1-current_assets-error">'
        r"(.*?)</ul>",
        page,
        re.S,
    )
    assert found, "the cell's reasons are not a list"
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    assert len(items) == 2 and all(item.startswith("2025: ") for item in items)
