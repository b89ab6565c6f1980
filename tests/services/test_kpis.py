"""Process and staff KPIs (绩效考核): every figure checked against the same figure computed by hand on the book
the test stored (``kpi_book``), who reads whose figures, the scorecard table, and the drill-downs listing exactly
what a figure counted."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.errors import NotAuthorized, NotFound
from app.extensions import db
from app.localtime import local_today
from app.models import HumanTask
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_data, kpi_drill, kpi_pages, kpi_people, kpi_process, kpi_scorecard
from app.services.analytics.kpis.kpi_rights import KpiReach, kpi_reach, may_read_person
from app.services.design.testing import decision_tests
from tests.services.kpi_book import build

RULES = Path(__file__).resolve().parents[2] / "rules"
PERIOD = Filters(local_today() - timedelta(days=90), local_today())


def quantile(values: list[float], q: float) -> float | None:
    """Linear interpolation between the closest ranks (what the figures use), by hand."""
    if not values:
        return None
    ordered = sorted(values)
    h = (len(ordered) - 1) * q
    low = int(h)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (h - low), 1)


def days(a, b) -> float:
    return (a - b).total_seconds() / 86400


def pct(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) * 100 / whole).quantize(Decimal("0.01"))


@pytest.fixture
def book(deployed, people):
    return build(people)


def test_the_scorecard_table_passes_its_own_cases():
    results = decision_tests.run(
        "kpi_scorecard.dmn",
        (RULES / "kpi_scorecard.dmn").read_text(encoding="utf-8"),
        (RULES / "kpi_scorecard.tests.json").read_text(encoding="utf-8"),
    )
    cases = json.loads((RULES / "kpi_scorecard.tests.json").read_text(encoding="utf-8"))["cases"]
    assert len(results) == len(cases) and all(r.ok for r in results), [r.message for r in results if not r.ok]


def test_the_process_figures_match_a_count_by_hand(book, people):
    frames = kpi_process.Frames.read(KpiReach(), PERIOD)
    decided = [c for c in book.cases if c["decided_at"]]
    turnaround = kpi_process.turnaround_figure(frames)
    assert turnaround.total["decided"] == len(decided)
    assert turnaround.total["approved"] == sum(c["approved"] for c in decided)
    assert turnaround.total["p50"] == quantile([days(c["decided_at"], c["started_at"]) for c in decided], 0.5)
    assert turnaround.total["p90"] == quantile([days(c["decided_at"], c["started_at"]) for c in decided], 0.9)
    by_route = {r["drill"]["key"]: r for r in turnaround.rows}
    committee = [c for c in decided if c["route"] == "committee"]
    assert by_route["committee"]["decided"] == len(committee)
    assert by_route["committee"]["approval_rate"] == pct(
        sum(c["approved"] for c in committee), len(committee)
    )

    signoffs = [t for t in book.tasks if t["spec"] == "approval_signoff" and t["completed"]]
    sla = {r["level"]: r for r in kpi_process.sla_figure(frames).rows}
    for level in (1, 2):
        mine = [t for t in signoffs if t["level"] == level]
        on_time = [t for t in mine if t["state"] == "completed" and t["completed"] <= t["due"]]
        assert sla[str(level)]["signoffs"] == sum(t["state"] == "completed" for t in mine)
        assert sla[str(level)]["escalated"] == sum(t["state"] == "cancelled" for t in mine)
        assert sla[str(level)]["returned"] == sum(t["decision"] == "return" for t in mine)
        assert sla[str(level)]["on_time_share"] == pct(len(on_time), len(mine))

    stages = {r["drill"]["key"]: r for r in kpi_process.stages_figure(frames).rows}
    intake = [days(t["completed"], t["created"]) for t in book.tasks if t["spec"] == "application_intake"]
    assert stages["application_intake"]["done"] == len(intake)
    assert stages["application_intake"]["p50"] == quantile(intake, 0.5)

    headline = kpi_process._headline(frames)
    assert headline["escalations"] == sum(t["state"] == "cancelled" for t in signoffs)
    assert headline["returns"] == sum(t["decision"] == "return" for t in signoffs)


def test_each_persons_figures_match_a_count_by_hand(book, people):
    frames = kpi_people.PeriodFrames.read(PERIOD)
    for officer in (people.officer, people.officer2):
        got = kpi_people.figures_of(frames, officer)
        decided = [c for c in book.cases if c["decided_at"] and c["officer"] == officer.id]
        assert got["decided"] == len(decided)
        assert got["approval_rate"] == pct(sum(c["approved"] for c in decided), len(decided))
        assert got["turnaround_p50"] == quantile(
            [days(c["decided_at"], c["started_at"]) for c in decided], 0.5
        )
        steps = [t for t in book.tasks if t["person"] == officer.id and t["state"] == "completed"]
        assert got["task_days_p50"] == quantile([days(t["completed"], t["created"]) for t in steps], 0.5)
        theirs = [
            t
            for t in book.tasks
            if t["officer"] == officer.id and t["spec"] == "approval_signoff" and t["state"] == "completed"
        ]
        assert got["returns_rate"] == pct(sum(t["decision"] == "return" for t in theirs), len(theirs))
        assert got["downgrades"] == sum(c["downgrade"] for c in book.changes if c["officer"] == officer.id)
        assert got["new_npls"] == sum(bool(c["npl_case"]) for c in book.changes if c["officer"] == officer.id)
        assert got["warnings"] == sum(w["officer"] == officer.id for w in book.warnings)
        assert kpi_people.figures_of(kpi_people.PeriodFrames.read(PERIOD, [officer.id]), officer) == got
    for approver in (people.approver1, people.approver2):
        got = kpi_people.figures_of(frames, approver)
        held = [t for t in book.tasks if t["spec"] == "approval_signoff" and t["person"] == approver.id]
        done = [t for t in held if t["state"] == "completed"]
        escalated = [t for t in held if t["state"] == "cancelled"]
        assert got["signoffs"] == len(done)
        assert got["signoff_p50"] == quantile([days(t["completed"], t["created"]) for t in done], 0.5)
        assert got["sla_on_time"] == pct(
            sum(t["completed"] <= t["due"] for t in done), len(done) + len(escalated)
        )
        assert got["escalation_rate"] == pct(len(escalated), len(done) + len(escalated))
        npl_cases = {c["npl_case"] for c in book.changes if c["npl_case"]}
        assert got["new_npls"] == sum(
            c["id"] in npl_cases and c["approver"] == approver.id for c in book.cases
        )
    assert kpi_people.figures_of(frames, people.officer) != kpi_people.figures_of(frames, people.officer2)


def test_the_score_weighs_each_figure_by_the_table_and_caps_it():
    score = kpi_scorecard.score(
        "approver", {"sla_on_time": 45, "signoff_p50": 1, "escalation_rate": 0, "new_npls": 1}
    )
    lines = {line.weight.metric: line for line in score.lines}
    assert lines["sla_on_time"].attainment == Decimal("50.0")  # 45 of a target of 90
    assert lines["signoff_p50"].attainment == Decimal("120.0")  # twice as quick as 2 days: capped at 120 %
    assert lines["escalation_rate"].attainment == Decimal("120.0")  # none escalated
    assert lines["new_npls"].attainment == Decimal("0.0")  # a target of none, one found
    by_hand = (35 * Decimal("0.5") + 25 * Decimal("1.2") + 20 * Decimal("1.2") + 0) * 100 / 100
    assert score.total == by_hand.quantize(Decimal("0.1"))
    partial = kpi_scorecard.score("approver", {"sla_on_time": 90, "signoff_p50": None})
    assert partial.total == Decimal("100.0")  # the figure without a basis is left out, not scored zero
    assert kpi_scorecard.score("approver", {"sla_on_time": 90}, active=False).total is None


def test_who_reads_whose_kpis(book, people):
    assert kpi_reach(people.officer) == KpiReach(person=people.officer.id)
    assert kpi_reach(people.approver1) == KpiReach(branch="shanghai")
    assert kpi_reach(people.risk).whole_bank and kpi_reach(people.compliance).whole_bank
    with pytest.raises(NotAuthorized):
        kpi_reach(people.designer)
    assert may_read_person(people.approver1, people.officer)  # the Shanghai branch's officer
    assert not may_read_person(people.approver1, people.officer2)  # Beijing's
    assert not may_read_person(people.officer, people.officer2)
    assert may_read_person(people.risk, people.officer2) and may_read_person(people.officer2, people.officer2)
    with pytest.raises(NotAuthorized):
        kpi_pages.person(people.officer, people.officer2.id, PERIOD)
    mine = kpi_process.Frames.read(kpi_reach(people.officer), PERIOD).decisions
    assert set(mine["started_by_id"]) == {people.officer.id}
    branch = kpi_pages.dashboard(people.approver1, PERIOD)
    names = {
        row["name"] for fig in branch.figures if fig.key in ("officers", "approvers") for row in fig.rows
    }
    assert people.officer.display_name in names and people.officer2.display_name not in names


def test_a_drill_down_lists_exactly_what_the_figure_counted(book, people):
    figure = kpi_drill.rows_of(people.risk, PERIOD, "route", "committee", None)
    committee = [c for c in book.cases if c["decided_at"] and c["route"] == "committee"]
    assert {row["drill"]["case_id"] for row in figure.rows} == {c["id"] for c in committee}
    escalated = kpi_drill.rows_of(people.risk, PERIOD, "escalated", None, None)
    assert len(escalated.rows) == sum(t["state"] == "cancelled" for t in book.tasks)
    npls = kpi_drill.rows_of(people.risk, PERIOD, "new_npls", None, people.officer.id)
    assert len(npls.rows) == sum(
        bool(c["npl_case"]) for c in book.changes if c["officer"] == people.officer.id
    )
    with pytest.raises(NotAuthorized):
        kpi_drill.rows_of(people.officer, PERIOD, "decided", None, people.officer2.id)
    with pytest.raises(NotFound):
        kpi_drill.rows_of(people.risk, PERIOD, "nothing", None, None)


def test_the_segment_and_branch_filters_narrow_the_cases(book, people):
    sme = Filters(PERIOD.date_from, PERIOD.date_to, segment="sme")
    frames = kpi_process.Frames.read(KpiReach(), sme)
    assert len(frames.decisions) == sum(1 for n, c in enumerate(book.cases) if c["decided_at"] and n % 2)
    beijing = Filters(PERIOD.date_from, PERIOD.date_to, branch="beijing")
    frames = kpi_process.Frames.read(KpiReach(), beijing)
    assert set(frames.decisions["started_by_id"]) == {people.officer2.id}


def test_times_of_mixed_precision_read_as_times_and_the_drill_down_shows_them(book, people):
    """A time on the whole second and one with a fraction in the same column: on PostgreSQL the rows come as CSV,
    and pandas' guess from the first row had left the column as text, so the drill-down answered 500."""
    tasks = list(db.session.scalars(select(HumanTask).where(HumanTask.completed_at.is_not(None))))
    for n, task in enumerate(sorted(tasks, key=lambda t: t.id)):
        task.completed_at = task.completed_at.replace(microsecond=0 if n % 2 == 0 else 325152)
    db.session.commit()
    frames = kpi_process.Frames.read(KpiReach(), PERIOD)
    assert pd.api.types.is_datetime64_any_dtype(frames.tasks["completed_at"])
    figure = kpi_drill.rows_of(people.risk, PERIOD, "signoffs", None, None)
    assert figure.rows and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["ended"]) for r in figure.rows)


def test_an_open_step_drills_down_by_the_step_as_stored_in_either_language(book, people):
    keys = {}
    for locale in ("en", "zh_CN"):
        with force_locale(locale):
            figure = kpi_process.open_figure(kpi_data.open_cases(KpiReach(), PERIOD))
            keys[locale] = [row["drill"]["key"] for row in figure.rows]
            assert [row["step"] for row in figure.rows] == [("Sign off" if locale == "en" else "审批")]
    assert keys["en"] == keys["zh_CN"] == ["Sign off / 审批"]  # one link whichever language it was opened in
    with force_locale("zh_CN"):
        waiting = kpi_drill.rows_of(people.risk, PERIOD, "open", "Sign off / 审批", None)
    assert {row["drill"]["case_id"] for row in waiting.rows} == {
        c["id"] for c in book.cases if not c["decided_at"]
    }
