"""The case library's reads (案例库): the search by industry, cause, tag, outcome and words; the causes counted; the
timeline of an entry with each warning's days before the default; what each warning rule caught — each checked
against a direct computation on the test data; and the demo's three analyses."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.localtime import local_date
from app.models import CaseAnalysis, EarlyWarning, ProcessInstance, RatingChange, ReadingAssignment, User
from app.models.base import utcnow
from app.services.admin import demo, demo_case_library
from app.services.analytics.case_library import entries, evidence, search
from app.services.cases import tasks
from app.services.people.training import readings
from tests.factories import book_customer, facility
from tests.workflows.test_case_analysis import RECORD, analyses, controlled
from tests.workflows.test_warning_escalation import ready


@pytest.fixture
def approved(deployed, people, jobs_here) -> CaseAnalysis:
    """A default analysed (guarantee circle, funds diverted; tags 担保圈 制造业 民营) and approved; its warnings
    detected 30 days before the default."""
    _customer_id, control = controlled(people, 25)
    db.session.execute(
        update(EarlyWarning)
        .where(EarlyWarning.instance_id == control.id)
        .values(detected_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()
    [analysis] = analyses()
    tasks.complete(people.risk, ready(analysis.instance_id, "record_analysis").id, RECORD)
    tasks.complete(
        people.compliance, ready(analysis.instance_id, "review_analysis").id, {"review_decision": "approve"}
    )
    return analyses()[0]


def found(people, **args) -> list[int]:
    return [a.id for a in search.find(people.officer, search.Query.parse(args)).rows]


def test_the_library_is_searched_by_cause_tag_outcome_industry_and_words(approved, people):
    assert found(people) == [approved.id]
    assert found(people, cause="guarantee_circle") == [approved.id] and found(people, cause="fraud") == []
    assert found(people, tag="担保圈") == [approved.id] and found(people, tag="光伏") == []
    assert found(people, outcome="loss") == [approved.id] and found(people, outcome="recovered") == []
    assert found(people, industry="manufacturing") == [approved.id] and found(people, industry="retail") == []
    assert found(people, q="关联企业") == [approved.id] and found(people, q="华东精密") == [approved.id]
    assert found(people, status="under_way") == []
    with pytest.raises(InvalidInput) as bad:
        search.Query.parse({"cause": "weather", "page": "0"})
    assert set(bad.value.errors) == {"cause", "page"}
    with pytest.raises(NotAuthorized):
        search.find(db.session.scalar(select(User).where(User.username == "designer")), search.Query())


def test_the_causes_figure_counts_each_cause_of_the_analyses_found(approved, people):
    figure = search.causes_figure(people.approver1, search.Query())
    direct: dict[str, int] = {}
    for listed in db.session.scalars(
        select(CaseAnalysis.root_causes).where(CaseAnalysis.status == "approved")
    ):
        for code in listed:
            direct[code] = direct.get(code, 0) + 1
    assert {row["drill"]["cause"]: row["count"] for row in figure.rows} == direct
    assert search.list_figure(people.officer, search.Query()).rows[0]["tags"] == "担保圈、制造业、民营"


def test_the_timeline_reads_the_customers_story_with_days_before_the_default(approved, people):
    page = entries.entry(people.approver1, approved.id)
    kinds = [e.kind for e in page.timeline]
    assert {"case", "decision", "rating", "approval", "warning", "control"} <= set(kinds)
    assert [e.at for e in page.timeline] == sorted(e.at for e in page.timeline)
    warned = [e for e in page.timeline if e.kind == "warning"]
    expected = [
        (approved.default_on - local_date(w.detected_at)).days
        for w in db.session.scalars(
            select(EarlyWarning).where(EarlyWarning.customer_id == approved.customer_id)
        )
    ]
    assert [e.days_before_default for e in warned] == expected == [30]


def test_each_rule_counts_the_defaults_it_caught_and_how_far_ahead(approved, people):
    designer = db.session.scalar(select(User).where(User.username == "designer"))
    figure = evidence.rule_figure(designer)  # designers read it before changing a threshold
    rows = {r["code"]: r for r in figure.rows}
    default_on = local_date(
        db.session.scalar(select(RatingChange.changed_at).where(RatingChange.class_after == "substandard"))
    )
    for code in rows:
        warned = [
            local_date(w.detected_at)
            for w in db.session.scalars(select(EarlyWarning).where(EarlyWarning.code == code))
        ]
        ahead = [(default_on - on).days for on in warned if 0 <= (default_on - on).days <= 365]
        assert rows[code]["caught"] == len(ahead)
        assert rows[code]["median_days"] == (statistics.median(ahead) if ahead else None)
        assert rows[code]["raised"] == len(warned)
    assert rows["past_due_30"]["caught"] == 1 and rows["past_due_30"]["median_days"] == 30
    with pytest.raises(NotAuthorized):
        evidence.rule_figure(db.session.scalar(select(User).where(User.username == "admin")))


def test_the_demo_has_a_default_approved_a_success_approved_and_one_waiting(app, monkeypatch):
    with monkeypatch.context() as later:
        later.setattr(demo.demo_customer_file.demo_case_library, "load", lambda: iter(()))
        list(demo.load(count=len(demo.STAGES)))
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    for days in (90, 91, 92):
        facility(book_customer(officer, days, grade="A", loan_class="normal"), 3_000_000)
    lines = list(demo_case_library.load())
    assert any("default analysed and approved" in line and "no default" not in line for line in lines), lines
    kept = {(a.trigger_kind, a.status) for a in db.session.scalars(select(CaseAnalysis))}
    assert kept == {("default", "approved"), ("success", "approved"), ("manual", "open")}
    waiting = db.session.scalar(select(CaseAnalysis).where(CaseAnalysis.status == "open"))
    assert db.session.get(ProcessInstance, waiting.instance_id).open_tasks
    [reading] = db.session.scalars(
        select(ReadingAssignment)
    ).all()  # the approved default, for 王晓明 to read
    entry = db.session.get(CaseAnalysis, int(reading.entry_ref))
    assert (entry.trigger_kind, entry.status) == ("default", "approved") and reading.title == entry.title
    assert reading.user_id == officer.id and reading.acknowledged_at is None
    with app.test_request_context():
        assert readings.link_of(reading.entry_ref) == f"/analytics/cases/{entry.id}"
    assert list(demo_case_library.load()) == []  # loaded again: nothing added
    assert db.session.scalar(select(func.count()).select_from(ReadingAssignment)) == 1
