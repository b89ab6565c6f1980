"""The KPI pages precomputed by their job (``kpi_refresh``, ``kpi_kept``): every scope's page of the default period
kept in each language and read back exactly as computed live, with its time; any other filters computed live;
and the job's narrowing of the whole bank's frames (``KpiReach.case_rows``) selecting exactly the rows the reach's
own SQL reads, on cases that test its edges (no customer, a customer without an officer, another branch's
customer)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import analytics as analytics_jobs
from app.models import Customer, KpiSummary, ProcessInstance
from app.models.base import utcnow
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data, kpi_kept, kpi_pages, kpi_process
from app.services.analytics.kpis.kpi_bank import BankFrames
from app.services.analytics.kpis.kpi_rights import KpiReach
from tests.factories import demo_uscc, shown
from tests.services.kpi_book import _task, build


def default() -> Filters:
    """The default filters of the day the test runs on (a module constant would keep the day it was collected on,
    and a run crossing midnight in Beijing would read a page kept today as yesterday's)."""
    return Filters.parse({})


@pytest.fixture
def book(deployed, people):
    built = build(people)
    definition = db.session.scalar(select(ProcessInstance.definition_id).limit(1))
    orphan = Customer(
        name="无客户经理有限公司", uscc=demo_uscc(990), industry="retail", size="small", credit_record="clean"
    )
    db.session.add(orphan)
    db.session.flush()
    edges = (  # (opener, customer id): no customer; a customer without an officer; another branch's customer
        (people.officer2, None),
        (people.officer, orphan.id),
        (
            people.officer,
            db.session.scalar(select(Customer.id).where(Customer.officer_id == people.officer2.id)),
        ),
    )
    for n, (opener, customer) in enumerate(edges):
        case = ProcessInstance(
            reference=f"CA-EDGE-{n}",
            definition_id=definition,
            process_id="credit_application",
            customer_id=customer,
            status="running",
            current_step="Intake / 受理",
            state="{}",
            serializer_version="test",
            started_by_id=opener.id,
            started_at=built.now - timedelta(days=3),
        )
        db.session.add(case)
        db.session.flush()
        at = built.now - timedelta(days=3)
        _task(built, case, "application_intake", at, at + timedelta(days=1), opener.id, None, None)
    db.session.commit()
    return built


def test_the_bank_frames_narrowed_hold_exactly_what_each_reach_reads(book, people):
    bank = BankFrames.read(default())
    reaches = (
        KpiReach(),
        KpiReach(branch="shanghai"),
        KpiReach(branch="beijing"),
        KpiReach(person=people.officer.id),
        KpiReach(person=people.officer2.id),
    )
    for reach in reaches:
        own = kpi_process.Frames.read(reach, default())
        narrowed, _before = bank.process(reach)
        assert set(narrowed.tasks["task_id"]) == set(own.tasks["task_id"]), reach
        assert set(narrowed.decisions["instance_id"]) == set(own.decisions["instance_id"]), reach
        opened = set(bank.open_cases(reach)["instance_id"])
        assert opened == set(kpi_data.open_cases(reach, default())["instance_id"]), reach
    edges = set(
        db.session.scalars(select(ProcessInstance.id).where(ProcessInstance.reference.like("CA-EDGE-%")))
    )
    beijing = set(bank.open_cases(KpiReach(branch="beijing"))["instance_id"])
    shanghai = set(bank.open_cases(KpiReach(branch="shanghai"))["instance_id"])
    assert (
        len(edges & beijing) == 2 and not edges & shanghai
    )  # no customer: its opener's; the customer's officer's


def test_the_job_keeps_each_scope_and_the_pages_read_it_back_exactly(app, book, people):
    kept = analytics_jobs.precompute_kpis()
    staff = [u for u in vars(people).values() if u.role in ("officer", "approver")]
    branches = {u.branch for u in staff}
    assert branches == {"shanghai", "beijing", "head_office"}
    officers = [u for u in staff if u.role == "officer"]
    scopes = (
        1 + len(branches) + len(officers) + len(staff)
    )  # the bank, each branch, each officer's own, each page
    assert kept == scopes * len(app.config["LANGUAGES"])
    assert db.session.scalar(select(func.count()).select_from(KpiSummary)) == kept
    assert analytics_jobs.precompute_kpis() == kept  # run again: the same rows replaced
    assert db.session.scalar(select(func.count()).select_from(KpiSummary)) == kept
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            for reader in (people.risk, people.approver1, people.officer):
                page = kpi_pages.dashboard(reader, default())
                live = kpi_pages.dashboard_figures(page.reach, default())
                assert page.precomputed
                assert [f.title for f in page.figures] == [f.title for f in live]
                chinese = re.search(r"[\u4e00-\u9fff]", page.figures[0].title) is not None
                assert chinese == (locale == "zh_CN")  # kept in the language it is read in
                assert [shown(f) for f in page.figures] == [shown(f) for f in live], reader.username
            for person in (people.officer, people.approver2):
                mine = kpi_pages.person(people.risk, person.id, default())
                figure, score, before = kpi_pages.person_figures(person, default())
                assert mine.precomputed
                assert shown(mine.figure) == shown(figure)
                assert (mine.score, mine.score_before) == (score, before)
    branch = kpi_pages.dashboard(
        people.risk, Filters(default().date_from, default().date_to, branch="beijing")
    )
    assert branch.precomputed and branch.reach.whole_bank  # the branch filter reads the branch's kept page
    assert not kpi_pages.dashboard(people.risk, Filters(date(2025, 1, 1), default().date_to)).precomputed
    assert not kpi_pages.dashboard(
        people.risk, Filters(default().date_from, default().date_to, segment="sme")
    ).precomputed
    assert not kpi_pages.person(
        people.risk, people.officer.id, Filters(date(2025, 1, 1), default().date_to)
    ).precomputed


def test_a_page_kept_yesterday_is_not_read_today(book, people):
    before = utcnow()
    analytics_jobs.precompute_kpis()
    mine = kpi_pages.person(people.risk, people.officer.id, default())
    assert mine.precomputed and before <= mine.as_of <= utcnow()
    people.officer.role = "approver"  # since the job ran: its page, kept for an officer, is not theirs now
    db.session.commit()
    assert not kpi_pages.person(people.risk, people.officer.id, default()).precomputed
    db.session.execute(KpiSummary.__table__.update().values(date_to=default().date_to - timedelta(days=1)))
    assert not kpi_pages.dashboard(people.risk, default()).precomputed


def test_the_job_is_on_beat_and_again_as_the_day_turns_in_beijing(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    assert schedule["precompute-kpis"]["task"] == "app.jobs.analytics.precompute_kpis"
    for name in ("precompute-kpis-new-day", "precompute-portfolio-new-day"):
        turn = schedule[name]["schedule"]
        assert turn.hour == {16} and turn.minute == {1}  # 00:01 Beijing, as the default period moves
    assert kpi_kept.scope_of(KpiReach(branch="shanghai")) == "branch:shanghai"
    assert kpi_kept.scope_of(KpiReach(person=7)) == "person:7" and kpi_kept.page_scope(7) == "page:7"
