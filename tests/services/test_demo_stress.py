"""The demo's stress tests: two scenarios, each run once over the demo's book."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import StressRun
from app.services.admin import demo, demo_customer_file, demo_stress


def test_the_demo_runs_its_two_scenarios(app, monkeypatch):
    with monkeypatch.context() as later:
        later.setattr(demo_customer_file.demo_stress, "load", lambda: iter(()))
        list(demo.load(count=len(demo.STAGES)))
    lines = list(demo_stress.load())
    assert len(lines) == 2 and "房地产下行" in lines[0] and "利率上行" in lines[1]
    runs = list(db.session.scalars(select(StressRun)))
    assert [r.status for r in runs] == ["done", "done"] and all(r.summary["customers"] > 0 for r in runs)
    assert runs[1].summary["el_after"] > runs[1].summary["el_before"]  # rates up: every customer pays more
    assert list(demo_stress.load()) == []  # loaded again: nothing added
