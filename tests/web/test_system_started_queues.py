"""Every task of a case the system started is in the queue of someone who may do it.

A case started by the portfolio check, the review scheduler or any message has no ``started_by``; the queue
filters once compared ``started_by_id != me``, which is never true for NULL, so its approvals were in nobody's
我的待办 or 审批待办. Here each process the system starts is driven through every one of its human tasks; at
each, the user who may do it finds it in 我的待办 (and 审批待办 for an approval) and in the API's task list,
opens it and completes it over the API. 审贷分离 still holds: the officer who investigated (an approver too)
never sees or approves the case's approval.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.localtime import local_today
from app.models import CaseAnalysis, Customer, EarlyWarning, HumanTask, ProcessDefinition, ProcessInstance
from app.services.admin import users
from app.services.approval import eligibility, qualifications
from app.services.approval.lanes import APPROVAL_LANES
from app.services.audit import sampling
from app.services.cases import cases, tasks, timers
from app.services.customers.collateral import revaluation
from app.services.customers.inspections import planning
from app.services.design.deployment import deployment
from app.services.monitoring import portfolio, reviews
from tests.factories import (
    PASSWORD,
    case_routed,
    compliance_sign_off,
    intake,
    open_task,
    review,
    statements,
    trained,
)
from tests.services.collateral_data import borrower, record, report
from tests.web.test_pages import text_of
from tests.workflows.test_case_analysis import RECORD
from tests.workflows.test_post_loan_inspection import visit
from tests.workflows.test_warning_escalation import observe

# The processes only the system (a job or a message) starts, and the paths below that reach each of
# their human tasks.
SYSTEM_STARTED = {
    "warning_escalation",
    "periodic_review",
    "audit_sampling",
    "collateral_revaluation",
    "post_loan_inspection",
    "case_analysis",
}


@pytest.fixture
def dual(people):
    """An officer who is also a qualified approver of the highest level: the one 审贷分离 must stop."""
    user, _ = users.create_user(
        "dual", "officer", PASSWORD, authority_level=3, groups=("approver",), branch="shanghai"
    )
    qualifications.record(None, "dual", "CQ-TEST-dual", "2099-12-31")
    trained(user)
    db.session.refresh(user)
    assert user.group_codes == {"officer", "approver"}
    return user


@pytest.fixture
def queues(app, as_user, people):
    """Reads a user's queues the three ways they are read: the services, the pages and the API."""

    class Queues:
        def __init__(self) -> None:
            self.pages, self.tokens, self.covered = {}, {}, {}

        def page(self, username: str):
            if username not in self.pages:
                self.pages[username] = as_user(username)
            return self.pages[username]

        def api(self, method: str, username: str, path: str, body=None):
            if username not in self.tokens:
                self.tokens[username] = users.issue_token(username)
            headers = {"Authorization": f"Bearer {self.tokens[username]}", "Accept-Language": "en"}
            client = app.test_client()
            return (
                client.get(f"/api/v1{path}", headers=headers)
                if method == "get"
                else client.post(f"/api/v1{path}", json=body, headers=headers)
            )

        def listed(self, username: str, task: HumanTask) -> dict[str, bool]:
            user = users.get_by_username(username)
            found = {
                "my_tasks": task.id in [t.id for t in tasks.my_tasks(user).rows],
                "我的待办": f'href="/tasks/{task.id}"' in text_of(self.page(username).get("/tasks")),
                "api": task.id in [t["id"] for t in self.api("get", username, "/tasks").get_json()],
            }
            if task.lane in APPROVAL_LANES and set(APPROVAL_LANES) & user.group_codes:  # an approver's inbox
                found["sign_off_inbox"] = task.id in [t.id for t in tasks.sign_off_inbox(user).rows]
                found["审批待办"] = f'href="/tasks/{task.id}"' in text_of(self.page(username).get("/inbox"))
            return found

        def do(self, username: str, instance_id: int, spec: str, data: dict, *, hidden_from=()) -> None:
            """``username`` finds the task in every queue, opens it and completes it; it is in no queue of
            ``hidden_from`` (审贷分离), who are refused."""
            task = open_task(instance_id, spec)
            process = db.session.get(ProcessInstance, instance_id).process_id
            assert all(self.listed(username, task).values()), (spec, username, self.listed(username, task))
            for other in hidden_from:
                assert not any(self.listed(other, task).values()), (spec, other, self.listed(other, task))
                assert self.page(other).get(f"/tasks/{task.id}").status_code == 403
            assert self.page(username).get(f"/tasks/{task.id}").status_code == 200
            done = self.api("post", username, f"/tasks/{task.id}/complete", {"data": data})
            assert done.status_code == 200, (spec, done.get_json())
            self.covered.setdefault(process, set()).add(spec)

    return Queues()


def customer_of(officer, people, index: int, **proposal) -> Customer:
    """Customer ``index`` of ``officer`` with a live facility (approved, signed off by compliance)."""
    case = cases.start_case(officer, "credit_application")
    tasks.complete(officer, open_task(case.id, "application_intake").id, intake(index))
    tasks.complete(officer, open_task(case.id, "financial_statements").id, {"statements": statements()})
    tasks.complete(officer, open_task(case.id, "review_proposal").id, review(case, **proposal))
    signoff = open_task(case.id, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2, 3: people.approver3}[signoff.required_level]
    tasks.complete(approver, signoff.id, {"decision": "approve"})
    compliance_sign_off(case, people.compliance)
    return db.session.get(Customer, case.customer_id)


def started_by_the_system(instance_id: int) -> int:
    instance = db.session.get(ProcessInstance, instance_id)
    assert instance.started_by_id is None, instance.process_id
    return instance_id


def test_every_task_of_a_system_started_case_is_in_the_queue_of_who_may_do_it(
    queues, people, dual, jobs_here
):
    today = local_today()
    # The portfolio check raises a warning: the escalation is started by the beat job, nobody else.
    watched = customer_of(dual, people, 1)
    observe(people, watched, days_past_due="45")
    with time_machine.travel(today.isoformat() + " 02:00:00+00:00", tick=False) as clock:
        [warning_id] = portfolio.scan().raised
        escalation = started_by_the_system(db.session.get(EarlyWarning, warning_id).instance_id)
        queues.do(
            "dual", escalation, "investigate_warning", {"assessment": "confirmed", "findings": "逾期属实。"}
        )
        queues.do(
            "risk",
            escalation,
            "risk_review",
            {
                "action": "reduce_limit",
                "reduce_share": 0.2,
                "expected_loss_pct": 5,
                "follow_up_date": (today + timedelta(days=7)).isoformat(),
                "review_comment": "压降 20%。",
            },
            hidden_from=("officer",),
        )
        control = open_task(escalation, "approve_control")  # from the branch of the customer's officer
        assert f'href="/tasks/{control.id}"' in text_of(
            queues.page("approver2").get("/inbox?branch=shanghai")
        )
        assert f'href="/tasks/{control.id}"' not in text_of(
            queues.page("approver2").get("/inbox?branch=beijing")
        )
        queues.do(
            "approver2",
            escalation,
            "approve_control",
            {"control_decision": "approve", "control_comment": "同意"},
            hidden_from=("dual",),
        )  # dual investigated it
        clock.shift(timedelta(days=8))
        assert timers.fire_due() == 1
        queues.do(
            "dual",
            escalation,
            "follow_up",
            {"resolved": True, "follow_up_findings": "已回款。"},
            hidden_from=("officer",),
        )

    # The review scheduler starts a review that moves the grade (approved by an approver who did not work it),
    # and another that is not done in time and escalates to the risk manager.
    moved = customer_of(dual, people, 2)
    late = customer_of(
        people.officer2, people, 3, grade_override="AA", override_reason="集团担保"
    )  # always sampled
    for customer in (moved, late):
        customer.next_review_on = today
    db.session.commit()
    queues.pages.clear()  # a signed cookie carries its signing time, and the clock now goes back (no server's does)
    with time_machine.travel(today.isoformat() + " 02:00:00+00:00", tick=False) as clock:
        started = {
            db.session.get(ProcessInstance, i).customer_id: started_by_the_system(i)
            for i in reviews.start_due()
        }
        queues.do(
            "dual",
            started[moved.id],
            "do_review",
            {"statements": statements(health=0.7), "review_notes": "收入下滑。"},
            hidden_from=("officer",),
        )
        queues.do(
            "risk", started[moved.id], "propose_change", {"new_limit": 3_000_000, "change_comment": "下调。"}
        )
        queues.do(
            "approver3",
            started[moved.id],
            "approve_review",
            {"review_decision": "approve"},
            hidden_from=("dual",),
        )
        clock.shift(timedelta(days=31))
        assert timers.fire_due() == 1
        queues.do(
            "risk",
            started[late.id],
            "overdue_review",
            {"statements": statements(health=1.3), "review_notes": "风险经理代为检查。"},
        )

    queues.pages.clear()  # back to the real clock, before the last travel's
    # The inspection schedule opens the first inspection of dual's drawdown: dual records the visit, a manager
    # who did not record it returns it, dual revises it and the manager signs it off.
    opened = {db.session.get(ProcessInstance, i).customer_id: i for i in planning.start_due()}
    inspection = started_by_the_system(opened[watched.id])
    queues.do("dual", inspection, "record_visit", visit(), hidden_from=("officer",))
    back = {
        "signoff_decision": "return",
        "signoff_comment": "请补充资金流水。",
        "fields_to_fix": ["use_of_funds"],
    }
    queues.do("approver1", inspection, "sign_off_inspection", back, hidden_from=("dual",))
    queues.do(
        "dual", inspection, "revise_visit", visit(use_of_funds="已核对银行流水。"), hidden_from=("officer",)
    )
    queues.do(
        "approver1",
        inspection,
        "sign_off_inspection",
        {"signoff_decision": "sign_off"},
        hidden_from=("dual",),
    )
    # Compliance draws a sample: each drawn case is reviewed, the finding remedied by the case's officer.
    drawn = sampling.start(people.compliance, today.isoformat(), today.isoformat(), seed="7")
    for task in db.session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == drawn.id, HumanTask.state == "ready")
        .order_by(HumanTask.id)
    ):
        finding = (
            {"finding": "major", "finding_description": "缺少原件。"}
            if task.id
            == min(
                t.id for t in db.session.scalars(select(HumanTask).where(HumanTask.instance_id == drawn.id))
            )
            else {"finding": "none"}
        )
        queues.do("compliance", drawn.id, "review_sampled_case", finding)
    remedy = open_task(drawn.id, "remedy_finding")
    queues.do(remedy.assignee.username, drawn.id, "remedy_finding", {"remediation": "已补充。"})
    queues.do("compliance", drawn.id, "close_review", {"closure": "closed"})

    # The revaluation schedule starts one revaluation per item due: its officer records the new value and a risk
    # manager confirms it; another is not recorded in time and goes to the risk managers, a second confirming it.
    long_ago = (today - timedelta(days=400)).isoformat()
    items = [borrower(people.officer2, index) for index in (41, 42)]
    for customer, live in items:
        record(people.officer2, customer, live, appraised_on=long_ago)
    value = {"new_value": 18_000_000, "valued_on": today.isoformat(), "appraiser": "上海东洲资产评估有限公司"}
    queues.pages.clear()
    with time_machine.travel(today.isoformat() + " 02:00:00+00:00", tick=False) as clock:
        revalued = {
            db.session.get(ProcessInstance, i).customer_id: started_by_the_system(i)
            for i in revaluation.start_due()
        }
        on_time, overdue = (revalued[customer.id] for customer, _live in items)
        doc = report(people.officer2, case_id=on_time).id
        queues.do(
            "officer2",
            on_time,
            "record_valuation",
            {**value, "report_document_id": doc},
            hidden_from=("officer",),
        )
        queues.do("risk", on_time, "confirm_valuation", {"valuation_decision": "confirm"})
        clock.shift(timedelta(days=31))
        assert timers.fire_due() >= 1  # the overdue revaluation's, with the other cases' timers due by then
        doc = report(people.risk, case_id=overdue).id
        queues.do("risk", overdue, "record_overdue_valuation", {**value, "report_document_id": doc})
        queues.do("cro", overdue, "confirm_valuation", {"valuation_decision": "confirm"})

    # The escalation closed after its control started a case analysis (案例库): a risk manager records it,
    # compliance returns it, the analyst revises it and compliance approves it into the library.
    queues.pages.clear()
    analysis = db.session.scalar(
        select(CaseAnalysis).where(CaseAnalysis.trigger_ref == f"escalation:{escalation}")
    )
    analysed = started_by_the_system(analysis.instance_id)
    queues.do("risk", analysed, "record_analysis", RECORD)
    back = {"review_decision": "return", "review_comment": "请补充被忽视的信号。"}
    queues.do("compliance", analysed, "review_analysis", back, hidden_from=("risk",))
    queues.do("risk", analysed, "record_analysis", RECORD)
    queues.do(
        "compliance", analysed, "review_analysis", {"review_decision": "approve"}, hidden_from=("risk",)
    )

    for process in SYSTEM_STARTED:  # every human task of each process was reached and done
        bundle = deployment.bundle_for(deployment.latest_definition(process))
        assert queues.covered.get(process) == set(bundle.user_tasks), process


def test_the_processes_above_are_every_process_the_system_starts(deployed):
    processes = set(db.session.scalars(select(ProcessDefinition.process_id).distinct()))
    starts = {p for p in processes if deployment.bundle_for(deployment.latest_definition(p)).start_messages}
    assert starts == SYSTEM_STARTED


def test_a_lane_less_task_someone_completed_counts_as_investigating(deployed, people):
    """审贷分离 through a nullable lane: a step in no lane, completed by a user, makes them its investigator
    (``lane NOT IN (approver, committee)`` was unknown for NULL, so it never counted)."""
    case = case_routed("single", people.officer)
    signoff = open_task(case.id, "approval_signoff")
    assert signoff.id in [t.id for t in tasks.sign_off_inbox(people.approver1).rows]
    db.session.add(
        HumanTask(
            instance_id=case.id,
            task_uuid="lane-less",
            task_spec="site_visit",
            name="Site visit",
            lane=None,
            state="completed",
            completed_by_id=people.approver1.id,
        )
    )
    db.session.commit()
    assert eligibility.investigated(people.approver1, case)
    assert signoff.id not in [t.id for t in tasks.sign_off_inbox(people.approver1).rows]
    assert signoff.id not in [t.id for t in tasks.my_tasks(people.approver1).rows]
    assert people.approver1 not in eligibility.able_users("approver", case, signoff.required_level)
