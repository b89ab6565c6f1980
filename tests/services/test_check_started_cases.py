"""An escalation the portfolio check starts is nobody's application: the risk manager who pressed "run the
portfolio check" is recorded as asking for the run, not as the case's starter, so 审贷分离 does not exclude
them from a task they may do (they may approve its control), while whoever worked the case still may not."""

from __future__ import annotations

import pytest

from app.errors import SegregationOfDutiesViolation
from app.extensions import db
from app.models import ProcessInstance, User
from app.services.admin import user_admin
from app.services.approval import qualifications
from app.services.cases import tasks
from app.services.monitoring import portfolio_checks
from tests.web.test_pages import text_of
from tests.workflows.test_warning_escalation import approved_customer, observe, ready


def also_an_approver(admin: User, user: User, level: int) -> None:
    """A risk manager who also signs off up to ``level`` (a chief risk officer often does)."""
    user_admin.update_profile(
        admin,
        user.id,
        {
            "display_name": user.display_name,
            "email": user.email or "",
            "branch": user.branch or "",
            "authority_level": str(level),
        },
    )
    user_admin.set_role_and_groups(admin, user.id, user.role, [*user.group_codes, "approver"])
    qualifications.record(admin, user.username, f"CQ-2026-{user.username}", "2099-12-31")


def test_the_risk_manager_who_ran_the_check_is_not_the_escalations_starter_and_may_approve_its_control(
    deployed, people, client, login, no_worker
):
    also_an_approver(people.admin, people.risk, 3)
    also_an_approver(people.admin, people.cro, 3)
    customer = approved_customer(people)
    observe(people, customer, days_past_due="95")
    check, new = portfolio_checks.request(people.risk)  # "run the portfolio check"
    assert new
    [case_id] = portfolio_checks.run(check.id).started
    case = db.session.get(ProcessInstance, case_id)
    assert case.started_by_id is None  # the system started it, on the check the risk manager ran

    tasks.complete(
        people.officer,
        ready(case_id, "investigate_warning").id,
        {"assessment": "confirmed", "findings": "逾期属实，客户停产。"},
    )
    tasks.complete(
        people.cro,
        ready(case_id, "risk_review").id,  # the chief risk officer reviews it
        {"action": "freeze", "expected_loss_pct": 20, "review_comment": "冻结额度。"},
    )
    control = ready(case_id, "approve_control")
    assert control.id in [t.id for t in tasks.sign_off_inbox(people.risk).rows]  # in the queue of who may act
    assert control.id not in [t.id for t in tasks.sign_off_inbox(people.cro).rows]  # 审贷分离 still holds
    with pytest.raises(SegregationOfDutiesViolation):
        tasks.check_may_act(people.cro, control, record_refusal=False)

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = text_of(login("risk").get(f"/cases/{case_id}"))
    assert f"Started by the portfolio check run by {people.risk.display_name}" in page
    tasks.complete(people.risk, control.id, {"control_decision": "approve"})
    db.session.refresh(case)
    assert ready(case_id, "approve_control") is None
