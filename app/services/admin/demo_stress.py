"""The demo's stress tests (压力测试): the two scenarios a risk manager starts with, each run once over the book, so
the page shows EL, NPL ratio and migration before and after."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from app.extensions import db
from app.models import StressRun, StressScenario, User
from app.services.analytics.stress import stress_runs, stress_scenarios

SCENARIOS = [
    {
        "name": "房地产下行",
        "description": "房地产业营业收入下降 30%，上游建筑业下降 20%；利率上行 200 个基点，抵押物价值下跌 20%。",
        "shocks": [
            {"industry": "real_estate", "sales_pct": -30, "rate_bp": 200, "collateral_pct": -20},
            {"industry": "construction", "sales_pct": -20, "rate_bp": 200, "collateral_pct": -20},
        ],
    },
    {
        "name": "利率上行",
        "description": "全部行业借款利率上行 300 个基点。",
        "shocks": [{"industry": "*", "rate_bp": 300}],
    },
]


def load() -> Iterator[str]:
    """The scenarios and one run of each (run here, not queued: the demo has no worker to wait for)."""
    if db.session.scalar(select(StressScenario.id).limit(1)):
        return  # loaded before
    risk = db.session.scalar(select(User).where(User.username == "risk"))
    assert risk is not None
    for data in SCENARIOS:
        scenario = stress_scenarios.create(risk, data)
        run = StressRun(
            scenario_id=scenario.id, shocks=scenario.shocks, status="queued", started_by_id=risk.id
        )
        db.session.add(run)
        db.session.commit()
        done = stress_runs.run(run.id)
        assert done is not None and done.summary is not None
        yield (
            f"stress test {scenario.name}: {done.summary['customers']} customers, EL "
            f"{done.summary.get('el_before', 0):,.0f} -> {done.summary.get('el_after', 0):,.0f}"
        )
