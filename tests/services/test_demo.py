"""The demo data `make run` loads: users for every role and the committee, cases in every state."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
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
    HumanTask,
    Notification,
    OutboxMail,
    ProcessInstance,
    User,
)
from app.models.people import ROLES
from app.services.admin import demo, demo_collateral, demo_guarantees
from app.services.audit import audit
from app.services.customers.collateral import book as collateral_book
from app.services.customers.contacts import follow_ups
from app.services.customers.facilities import maturing
from app.services.customers.facilities.facility_terms import add_months
from app.services.customers.guarantees import circles, circles_kept, graph
from app.services.monitoring import portfolio, watchlist


def ready_specs(instance_id: int) -> dict[str, list[HumanTask]]:
    found: dict[str, list[HumanTask]] = {}
    for task in db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
    ):
        found.setdefault(task.task_spec, []).append(task)
    return found


# The demo loads before any worker runs (`make run` loads, then serves): the jobs its steps queue wait in the
# outbox here too, rather than run in CI's live worker against the rows the demo is still writing.
pytestmark = pytest.mark.usefixtures("no_worker")


def test_the_demo_has_every_role_the_committee_and_a_case_in_every_state(app):
    lines = list(demo.load(count=len(demo.STAGES)))
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
    # the renewal the demo proposes (below) and officer3's own applications (demo_kpis) aside
    cases = [
        c for c in cases if "renews_facility_id" not in c.summary and c.started_by_id != people["officer3"].id
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


def test_the_demo_customers_have_contacts_a_log_and_one_follow_up_due_today_for_officer(app):
    lines = list(demo.load(count=len(demo.STAGES)))
    assert any("follow-up(s) due today for officer" in line for line in lines), lines
    customers = list(db.session.scalars(select(Customer).where(Customer.officer_id.is_not(None))))
    with_contacts = {c.customer_id for c in db.session.scalars(select(CustomerContact))}
    with_log = {e.customer_id for e in db.session.scalars(select(ContactLogEntry))}
    assert len(with_contacts) > len(customers) / 2 and with_contacts <= with_log
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    [due] = follow_ups.due_for(officer)
    assert due.follow_up_on == local_today()


def test_the_demo_has_documents_evidence_a_warning_photo_and_one_deleted(app):
    lines = list(demo.load(count=len(demo.STAGES)))
    assert any("documents attached" in line for line in lines), lines
    rows = list(db.session.scalars(select(Attachment)))
    kinds = {r.content_type for r in rows}
    assert {"application/pdf", "image/png"} <= kinds
    assert any(r.checklist_item == "sanctions" for r in rows) and any(r.warning_id for r in rows)
    [deleted] = [r for r in rows if r.deleted_at is not None]
    assert deleted.delete_reason == "重复上传"


def test_the_demo_has_facilities_near_maturity_and_one_renewal_proposed(app):
    lines = list(demo.load(count=len(demo.STAGES)))
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


def test_the_demo_has_a_guarantee_circle_of_four_a_long_chain_and_ordinary_guarantees(app):
    lines = list(demo.load(count=len(demo.STAGES)))
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
    ordinary = db.session.scalars(select(Guarantee).where(Guarantee.facility_id.is_not(None))).all()
    assert ordinary and all(g.amount == g.facility.limit_amount // 2 for g in ordinary)
    assert list(demo_guarantees.load()) == []  # loaded again: nothing added
    assert db.session.scalar(select(func.count()).select_from(Guarantee)) == 4 + 5 + len(ordinary)


def test_the_demo_has_collateral_due_short_and_insurance_expiring(app):
    lines = list(demo.load(count=len(demo.STAGES)))
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
