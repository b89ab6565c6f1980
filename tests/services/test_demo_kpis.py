"""The demo's KPIs (绩效考核): officer3 has applications of their own, every step took its days, and the three
officers' and the approvers' figures differ."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import ProcessInstance, User
from app.services.admin import demo
from app.services.analytics.filters import Filters
from app.services.analytics.kpis import kpi_people


def test_the_demo_gives_each_officer_and_approver_figures_of_their_own(app):
    lines = list(demo.load(count=len(demo.STAGES)))
    assert any("opened by officer3" in line for line in lines)
    people = {u.username: u for u in db.session.scalars(select(User))}
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
