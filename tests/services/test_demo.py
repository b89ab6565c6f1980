"""The demo data `make run` loads: users for every role and the committee, cases in every state, the customers'
files, inspections, KPIs, stress tests and training.

The demo is loaded once for the module (it takes a minute): the tests read it, and those that add to it (a case
started, the portfolio check run, a part loaded again) come last."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import (
    Attachment,
    Collateral,
    ContactLogEntry,
    Customer,
    CustomerContact,
    EarlyWarning,
    Guarantee,
    GuaranteeChainMember,
    HumanTask,
    Inspection,
    Notification,
    OutboxMail,
    ProcessInstance,
    StressRun,
    TrainingSession,
    User,
)
from app.models.people import ROLES
from app.services.admin import (
    demo,
    demo_collateral,
    demo_customer_file,
    demo_guarantees,
    demo_inspections,
    demo_stress,
    demo_training,
)
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_pages, kpi_people
from app.services.analytics.portfolio_dashboard import portfolio as portfolio_dashboard
from app.services.audit import audit
from app.services.cases import cases as case_service
from app.services.customers.collateral import book as collateral_book
from app.services.customers.contacts import follow_ups
from app.services.customers.facilities import maturing
from app.services.customers.facilities.facility_terms import add_months
from app.services.customers.guarantees import circles, circles_kept, graph
from app.services.monitoring import portfolio, watchlist
from app.services.people.training import records, required
from app.services.shared import dispatch
from tests.conftest import clean_up
from tests.factories import book_customer, facility


def ready_specs(instance_id: int) -> dict[str, list[HumanTask]]:
    found: dict[str, list[HumanTask]] = {}
    for task in db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
    ):
        found.setdefault(task.task_spec, []).append(task)
    return found


@pytest.fixture(scope="module")
def lines(app):
    """The demo, loaded once; the lines it printed. Its inspections come after one more customer with a live
    facility (the short demo has two): the inspections need three."""
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        # The demo loads before any worker runs (`make run` loads, then serves): the jobs its steps queue wait
        # in the outbox here too, rather than run in CI's live worker against the rows the demo is writing.
        patch.setattr(dispatch, "relay", lambda ids: 0)
        with pytest.MonkeyPatch.context() as later:
            later.setattr(demo_customer_file.demo_inspections, "load", lambda: iter(()))
            printed = list(demo.load(count=len(demo.STAGES)))
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        facility(book_customer(officer, 90, grade="A", loan_class="normal"), 3_000_000)
        printed += demo_inspections.load()
        yield printed
        clean_up()


@pytest.fixture(autouse=True)
def _clean_db():
    """Overrides the suite's per-test emptying: the module's demo stays for every test."""
    yield


def users() -> dict[str, User]:
    return {u.username: u for u in db.session.scalars(select(User))}


def test_the_demo_has_every_role_the_committee_and_a_case_in_every_state(lines):
    assert f"{len(demo.STAGES)} cases created, in every state: {', '.join(demo.STAGES)}" in lines
    people = {u.username: u for u in db.session.scalars(select(User))}
    assert {u.role for u in people.values()} == set(ROLES)
    assert demo.has_users()
    assert {"committee", "cro"} <= people["cro"].group_codes and "committee" in people["cco"].group_codes
    cases = list(
        db.session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.process_id == "credit_application")
            .order_by(ProcessInstance.id)
        )
    )
    # the renewal the demo proposes (below), officer3's own applications (demo_kpis) and the fixture's aside
    cases = [
        c
        for c in cases
        if "renews_facility_id" not in c.summary
        and c.started_by_id != people["officer3"].id
        and not c.reference.startswith("CA-TEST-")  # the inspections' third facility (the fixture's)
        and c.started_by_id is not None  # a former customer's past application (demo_scoring_history)
    ]
    by_stage = dict(zip(demo.STAGES, cases, strict=True))
    assert set(ready_specs(by_stage["intake"].id)) == {"application_intake"}
    assert set(ready_specs(by_stage["review"].id)) == {"review_proposal"}
    assert set(ready_specs(by_stage["returned"].id)) in ({"review_proposal"}, {"committee_vote"})
    assert (by_stage["approved"].status, by_stage["approved"].outcome) == ("completed", "approved")
    assert (by_stage["rejected"].status, by_stage["rejected"].outcome) == ("completed", "rejected")
    [second] = ready_specs(by_stage["second_level"].id)["approval_signoff"]
    assert second.required_level == 3 and by_stage["second_level"].summary["approval_route"] == "sequential"
    votes = ready_specs(by_stage["committee_voting"].id)["committee_vote"]
    assert len(votes) == 2 and all(v.assignee_id for v in votes)
    assert by_stage["committee_approved"].outcome == "approved"
    assert by_stage["committee_approved"].summary["committee"]["result"] == "approved"
    assert set(ready_specs(by_stage["compliance"].id)) == {"compliance_checklist"}
    assert by_stage["compliance"].status == "running"  # approved by credit, the limit not active yet
    assert (by_stage["withdrawn"].status, by_stage["withdrawn"].outcome) == ("withdrawn", "withdrawn")
    assert people["officer"].branch != people["officer2"].branch and people["approver"].email
    # the approvers were told of the cases waiting for them, in the app and in the outbox
    assert db.session.scalar(select(Notification.id).where(Notification.user_id == people["approver"].id))
    assert db.session.scalar(select(OutboxMail.id).where(OutboxMail.to_address == people["approver"].email))
    # monitoring: warnings raised by the portfolio check, at different stages of their escalation
    watched, _flagged = watchlist.listing(people["risk"])
    stages = {w.warning.code: w.stage for c in watched for w in c.warnings}
    assert "Decide the risk control / 制定风险控制方案" in stages.values()
    assert "Investigate the warning / 核查预警" in stages.values()
    closed = db.session.scalar(  # an escalation closed it (the two years of history before are closed too)
        select(EarlyWarning).where(EarlyWarning.status == "closed", EarlyWarning.instance_id.is_not(None))
    )
    assert closed is not None and closed.outcome == "false_alarm"
    review = db.session.scalar(select(ProcessInstance).where(ProcessInstance.process_id == "periodic_review"))
    assert review is not None and set(ready_specs(review.id)) == {"do_review"}
    assert audit.verify_chain().ok


def test_the_demo_customers_have_contacts_a_log_and_one_follow_up_due_today_for_officer(lines):
    assert any("follow-up(s) due today for officer" in line for line in lines), lines
    customers = list(
        db.session.scalars(
            select(Customer).where(Customer.officer_id.is_not(None), Customer.name != "客户0090有限公司")
        )
    )  # the fixture's third customer with a facility aside
    with_contacts = {c.customer_id for c in db.session.scalars(select(CustomerContact))}
    with_log = {e.customer_id for e in db.session.scalars(select(ContactLogEntry))}
    assert len(with_contacts) > len(customers) / 2 and with_contacts <= with_log
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    [due] = follow_ups.due_for(officer)
    assert due.follow_up_on == local_today()


def test_the_demo_has_documents_evidence_a_warning_photo_and_one_deleted(lines):
    assert any("documents attached" in line for line in lines), lines
    rows = list(db.session.scalars(select(Attachment)))
    kinds = {r.content_type for r in rows}
    assert {"application/pdf", "image/png"} <= kinds
    assert any(r.checklist_item == "sanctions" for r in rows) and any(r.warning_id for r in rows)
    [deleted] = [r for r in rows if r.deleted_at is not None]
    assert deleted.delete_reason == "重复上传"


def test_the_demo_has_facilities_near_maturity_and_one_renewal_proposed(lines):
    assert any("facilities dated to mature soon" in line for line in lines), lines
    people = {u.username: u for u in db.session.scalars(select(User))}
    own = maturing.maturing(people["officer2"])  # the demo's approved applications are officer2's
    assert [t.days_left for t in own.rows] == [20, 50]
    assert [t.renewal_state for t in own.rows] == ["proposed", "none"]
    [intake] = ready_specs(own.rows[0].renewal.id)["application_intake"]
    assert intake.assignee_id == people["officer2"].id
    bank = maturing.maturing(people["risk"])
    assert {b.key: b.count for b in bank.bands} == {
        "matured": 0,
        "within_30": 1,
        "within_60": 1,
        "within_90": 0,
    }
    for term in bank.rows:
        assert term.facility.start_on == add_months(term.facility.matures_on, -term.facility.term_months)
    assert audit.verify_chain().ok


def test_the_demo_gives_each_officer_and_approver_figures_of_their_own(lines):
    assert any("opened by officer3" in line for line in lines)
    people = users()
    cases = db.session.scalars(
        select(ProcessInstance).where(ProcessInstance.process_id == "credit_application")
    )
    assert all(case.completed_at is None or case.completed_at > case.started_at for case in cases)
    frames = kpi_people.PeriodFrames.read(Filters.parse({}))
    officers = [kpi_people.figures_of(frames, people[name]) for name in ("officer", "officer2", "officer3")]
    assert all(figures["decided"] for figures in officers)
    assert len({figures["turnaround_p50"] for figures in officers}) == 3
    assert len({figures["task_days_p50"] for figures in officers}) == 3
    approvers = [kpi_people.figures_of(frames, people[name]) for name in ("approver", "approver2")]
    assert approvers[0]["signoff_p50"] < approvers[1]["signoff_p50"]  # approver2 is the slow one


def test_the_demo_opens_its_dashboards_precomputed(lines):
    assert any(line.startswith("dashboards precomputed") for line in lines)
    risk, default = users()["risk"], Filters.parse({})
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            assert kpi_pages.dashboard(risk, default).precomputed
            assert portfolio_dashboard.dashboard(risk, default).precomputed


def test_the_demo_runs_its_two_scenarios(lines):
    scenarios = [line for line in lines if "房地产下行" in line or "利率上行" in line]
    assert len(scenarios) == 2 and "房地产下行" in scenarios[0] and "利率上行" in scenarios[1]
    runs = list(db.session.scalars(select(StressRun).order_by(StressRun.id)))
    assert [r.status for r in runs] == ["done", "done"] and all(r.summary["customers"] > 0 for r in runs)
    assert runs[1].summary["el_after"] > runs[1].summary["el_before"]  # rates up: every customer pays more
    assert list(demo_stress.load()) == []  # loaded again: nothing added


def test_the_demo_has_an_inspection_in_each_state_people_look_for(lines):
    assert any(
        "signed off with a high finding (warning: inspection_finding_serious" in line for line in lines
    )
    today = local_today()
    opened = list(db.session.scalars(select(Inspection).where(Inspection.instance_id.is_not(None))))
    [signed] = [i for i in opened if i.status == "signed_off"]
    assert signed.worst_severity == "high" and signed.signed_off_by.username == "approver"
    warning = db.session.scalar(select(EarlyWarning).where(EarlyWarning.code == "inspection_finding_serious"))
    assert warning.customer_id == signed.customer_id and warning.instance_id is not None
    [awaiting] = [i for i in opened if i.status == "submitted"]
    assert awaiting.visited_on is not None
    [overdue] = [i for i in opened if i.status == "open" and i.due_on < today]
    assert overdue.escalated_at is not None
    assert db.session.scalar(select(Notification).where(Notification.kind == "inspection_escalated"))
    [soon] = [i for i in opened if i.status == "open" and i.due_on > today]
    assert (soon.due_on - today).days == 10 and soon.customer_id == signed.customer_id
    assert list(demo_inspections.load()) == []  # loaded again: nothing added
    assert audit.verify_chain().ok


def test_the_demo_has_a_guarantee_circle_of_four_a_long_chain_and_ordinary_guarantees(lines):
    assert any("a guarantee circle of 4 firms" in line for line in lines), lines
    network = circles.active_network()  # the book as it stands, found afresh
    labels = graph.components(network)
    found = SimpleNamespace(
        circles=graph.circles_in(network, labels),
        chains=graph.chains_in(network, circles.policy_length(), labels=labels),
        max_chain_length=circles.policy_length(),
    )
    assert [len(c.members) for c in found.circles] == [4]
    assert [len(chain.steps) for chain in found.chains] == [6] and found.max_chain_length == 4
    kept = circles_kept.kept_findings()  # kept as registered, and the demo's scan found the chain
    assert [c.members for c in kept.circles] == [
        c.members for c in found.circles
    ] and kept.chains == found.chains
    on_chain = db.session.scalars(select(GuaranteeChainMember.steps)).all()
    assert on_chain == [6] * 6  # every firm of the chain kept for the warning rules
    ordinary = db.session.scalars(select(Guarantee).where(Guarantee.facility_id.is_not(None))).all()
    assert ordinary and all(g.amount == g.facility.limit_amount // 2 for g in ordinary)
    assert list(demo_guarantees.load()) == []  # loaded again: nothing added
    assert db.session.scalar(select(func.count()).select_from(Guarantee)) == 4 + 5 + len(ordinary)


def test_the_demo_has_courses_sessions_and_an_expiring_officer(lines):
    """郑凯 (officer3)'s AML training expires within 30 days (he still opens applications); loaded again, nothing
    is added. (The reading comes with the case library's demo: tests/services/test_case_library.py.)"""
    assert any(line.startswith("training:") for line in lines)
    people = users()
    aml = {s.code: s for s in required.standing(people["officer3"])}["KYC_AML"]
    assert aml.state == "expiring" and aml.valid_until <= local_today() + timedelta(days=30)
    for username in ("officer", "officer2", "approver", "cco", "risk", "compliance"):
        assert {s.state for s in required.standing(people[username])} <= {"valid"}, username
    with force_locale("zh_CN"):
        figure = records.by_branch(people["risk"])
    assert {r["branch"] for r in figure.rows} >= {"上海分行", "北京分行", "总行"}
    assert figure.total["lapsed"] >= 1 and figure.total["expiring"] >= 1  # 郑凯 failed post-loan management
    sessions = db.session.scalar(select(func.count()).select_from(TrainingSession))
    assert (
        list(demo_training.load()) == []
        and db.session.scalar(select(func.count()).select_from(TrainingSession)) == sessions
    )
    assert case_service.start_case(people["officer3"], "credit_application").id  # expiring is still valid


def test_the_demo_has_collateral_due_short_and_insurance_expiring(lines):
    assert "1 collateral revaluation(s) started" in lines, lines
    items = list(db.session.scalars(select(Collateral).order_by(Collateral.id)))
    assert len(items) == 4 and items[0].owner_name == "沪东投资控股有限公司"  # a third party's plant
    [running] = [i for i in items if i.revaluation_case_id]
    assert running.kind == "equipment"
    [task] = ready_specs(running.revaluation_case_id)["record_valuation"]
    assert task.assignee_id == running.customer.officer_id
    risk = db.session.scalar(select(User).where(User.username == "risk"))
    found = collateral_book.of_book(risk)
    assert [s.facility.id for s in found.shortfalls] == [running.links[0].facility_id]
    assert [i.kind for i in found.insurance] == ["inventory"]
    portfolio.scan(risk)
    shortfall = db.session.scalar(select(EarlyWarning).where(EarlyWarning.code == "collateral_shortfall"))
    assert shortfall is not None and shortfall.customer_id == running.customer_id
    assert list(demo_collateral.load()) == []  # loaded again: nothing added
