"""The guarantee circles kept in the database: at once around a guarantee registered or released, over the whole
book by the scan (a guarantee past its end date leaves it there); read by the warning rules (one warning per
stay in a circle), the approval authority (``circle_on_file``) and the group's exposure."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import time_machine
from sqlalchemy import func, select

from app.extensions import db
from app.localtime import local_today
from app.models import (
    AuditEvent,
    EarlyWarning,
    GuaranteeChainMember,
    GuaranteeCircleMember,
    GuaranteeNetworkScan,
    QueuedJob,
)
from app.services.approval import exposure
from app.services.customers.guarantees import chains_kept, circles_kept, register
from app.services.customers.master import directory
from app.services.monitoring import portfolio
from tests.factories import book_customer, case_routed, facility, open_task


def give(people, guarantor, borrower, amount="1000000", **more):
    data = {
        "guarantor_uscc": guarantor.uscc,
        "kind": "guarantee",
        "amount": amount,
        "signed_on": "2026-01-05",
    }
    return register.record(people.risk, borrower.id, {**data, **more})


def kept() -> dict[int, tuple[int, int, Decimal]]:
    rows = db.session.scalars(select(GuaranteeCircleMember))
    return {r.customer_id: (r.circle_id, r.size, r.amount) for r in rows}


def events(kind: str) -> list[int | None]:
    query = (
        select(AuditEvent.customer_id).where(AuditEvent.event_type == kind).order_by(AuditEvent.customer_id)
    )
    return list(db.session.scalars(query))


def test_a_guarantee_closing_a_ring_keeps_its_circle_at_once_and_a_release_breaks_it(people):
    a, b, c = (book_customer(people.officer, i) for i in (1, 2, 3))
    give(people, a, b)
    give(people, b, c)
    assert kept() == {}
    closing = give(people, c, a)  # the ring closes: kept in the same transaction
    ring = (a.id, 3, Decimal(3_000_000))
    assert kept() == {a.id: ring, b.id: ring, c.id: ring}
    assert events("guarantee.circle_joined") == [a.id, b.id, c.id]
    assert directory.circle_on_file(b.uscc) is True

    register.release(people.risk, closing.id)
    assert kept() == {} and directory.circle_on_file(b.uscc) is False
    assert events("guarantee.circle_left") == [a.id, b.id, c.id]


def test_the_whole_scan_drops_a_circle_whose_guarantee_ended_and_keeps_the_date_of_a_stay(people):
    a, b, c = (book_customer(people.officer, i) for i in (1, 2, 3))
    give(people, a, b)
    ends = (local_today() + timedelta(days=10)).isoformat()
    give(people, b, a, ends_on=ends)
    give(people, c, a)
    joined_on = db.session.get(GuaranteeCircleMember, a.id).since
    scan = circles_kept.refresh_book()
    assert (scan.circles, scan.members, scan.joined, scan.left) == (1, 2, 0, 0)
    assert db.session.get(GuaranteeCircleMember, a.id).since == joined_on  # the stay goes on
    with time_machine.travel(local_today() + timedelta(days=11)):
        later = circles_kept.refresh_book()
    assert (later.circles, later.left) == (0, 2) and kept() == {}
    assert db.session.scalar(select(func.count()).select_from(GuaranteeNetworkScan)) == 2


def test_a_part_too_large_to_read_at_once_is_left_to_the_whole_scan(people, monkeypatch, jobs_here):
    monkeypatch.setattr(circles_kept, "PART_LIMIT", 2)
    a, b, c = (book_customer(people.officer, i) for i in (1, 2, 3))
    give(people, a, b)
    give(people, b, c)
    give(people, c, a)  # the part is read only so far: the whole scan is queued, and runs (eager)
    assert len(kept()) == 3
    assert db.session.scalar(select(func.count()).select_from(GuaranteeNetworkScan)) >= 1


def test_a_watched_firm_in_a_circle_is_warned_once_for_its_stay(deployed, people):
    a, b = book_customer(people.officer, 1), book_customer(people.officer, 2)
    facility(a, 5_000_000)
    give(people, a, b)
    give(people, b, a)
    first = portfolio.scan(people.risk)
    warned = db.session.scalars(select(EarlyWarning).where(EarlyWarning.code == "guarantee_circle")).all()
    assert [w.customer_id for w in warned] == [a.id] and len(first.raised) == 1
    assert warned[0].basis == f"observation:{local_today().isoformat()}"
    assert portfolio.scan(people.risk).raised == []


def test_the_group_s_exposure_counts_what_it_guarantees_for_others_up_to_their_limits(deployed, people):
    parent = book_customer(people.officer, 1, group_name="华东控股集团")
    sister = book_customer(people.officer, 2, group_name="华东控股集团")
    outsider, small = book_customer(people.officer, 3), book_customer(people.officer, 4)
    facility(outsider, 8_000_000)
    facility(small, 1_000_000)
    give(people, parent, outsider, amount="3000000")
    give(people, sister, outsider, amount="2000000")
    give(people, parent, small, amount="5000000")  # counted up to the 1m it secures
    give(people, outsider, parent, amount="9000000")  # given to the group: not the group's exposure
    give(people, parent, sister, amount="4000000")  # inside the group: its limits count already
    assert exposure.guaranteed_by_group("华东控股集团") == Decimal(6_000_000)
    data = {"uscc": sister.uscc, "group_name": "华东控股集团", "group_share": 0.2, "guaranteed_share": 0.5}
    seen = exposure.exposure_of(SimpleNamespace(id=0), data, 1_000_000)
    assert (seen.guaranteed, seen.group_existing, seen.group_total) == (3_000_000, 3_000_000, 4_000_000)
    before_the_table_said = exposure.exposure_of(SimpleNamespace(id=0), {**data, "guaranteed_share": None}, 0)
    assert before_the_table_said.group_total == 0


def test_a_credit_for_a_firm_in_a_circle_goes_to_head_office_and_counts_the_group_s_guarantees(
    deployed, people
):
    borrower = book_customer(people.officer, 1)
    partner = book_customer(people.officer, 2)
    give(people, borrower, partner)
    give(people, partner, borrower)
    case = case_routed("single", people.officer, 1)  # CNY 5m, grade A: the branch's, but for the circle
    signoff = open_task(case.id, "approval_signoff")
    assert (case.summary["approval_level"], signoff.required_level) == (2, 2)
    assert case.summary["in_guarantee_circle"] is True
    assert "担保圈" in case.summary["approval_level_name"]


def test_the_whole_scan_is_in_the_beat_schedule(app):
    entry = app.extensions["celery"].conf.beat_schedule["keep-guarantee-circles"]
    assert entry["task"] == "app.jobs.customers.keep_guarantee_circles"
    assert entry["schedule"] == float(app.config["GUARANTEE_CIRCLE_SECONDS"])


def test_the_register_and_the_scan_keep_the_same_amount_to_the_cent(people):
    a, b = book_customer(people.officer, 1), book_customer(people.officer, 2)
    give(people, a, b, amount="0.29")
    give(people, b, a, amount="1000000.29")
    around = db.session.get(GuaranteeCircleMember, a.id).amount
    circles_kept.refresh_book()
    assert around == db.session.get(GuaranteeCircleMember, a.id).amount == Decimal("1000000.58")


def test_asking_twice_for_a_scan_queues_one(people, no_worker):
    circles_kept.request_scan(people.risk)
    circles_kept.request_scan(people.risk)
    queued = (
        select(func.count())
        .select_from(QueuedJob)
        .where(QueuedJob.task == "app.jobs.customers.keep_guarantee_circles")
    )
    assert db.session.scalar(queued) == 1
    assert len(events("guarantee.network_scan_requested")) == 2  # each request audited


def test_the_scan_keeps_the_firms_on_a_long_chain_and_the_warning_rules_read_them_once(deployed, people):
    firms = [book_customer(people.officer, i) for i in range(1, 7)]
    facility(firms[2], 5_000_000)
    links = [give(people, guarantor, borrower) for guarantor, borrower in zip(firms, firms[1:], strict=False)]
    assert (
        db.session.scalar(select(func.count()).select_from(GuaranteeChainMember)) == 0
    )  # the scan finds chains
    circles_kept.refresh_book()
    on = {row.customer_id: row.steps for row in db.session.scalars(select(GuaranteeChainMember))}
    assert on == {firm.id: 6 for firm in firms}  # six steps against the policy's four
    assert events("guarantee.network_scanned") and chains_kept.place_of(firms[0].id).steps == 6

    first = portfolio.scan(people.risk)
    warned = db.session.scalars(select(EarlyWarning).where(EarlyWarning.code == "guarantee_chain")).all()
    assert [w.customer_id for w in warned] == [firms[2].id] and warned[0].severity == "low"
    assert first.raised == [warned[0].id]
    since = chains_kept.place_of(firms[2].id).since
    give(people, firms[5], book_customer(people.officer, 7))  # the chain grows to seven steps
    circles_kept.refresh_book()  # found again: the stay goes on, no new warning
    on = {row.customer_id: (row.steps, row.since) for row in db.session.scalars(select(GuaranteeChainMember))}
    assert len(on) == 7 and set(on.values()) == {(7, since)}
    assert portfolio.scan(people.risk).raised == []

    register.release(people.risk, links[3].id)  # 1→2→3→4 and 5→6: no chain past four
    circles_kept.refresh_book()
    assert db.session.scalar(select(func.count()).select_from(GuaranteeChainMember)) == 0
