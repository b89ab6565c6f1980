"""Analytics jobs (分析): a stress scenario run over the whole book; the portfolio dashboard and the KPI pages
precomputed for their default period; the case analysis an event asks for (案例分析), started after the step that
recorded it."""

from __future__ import annotations

from celery import shared_task

from app.services.analytics.case_library import start
from app.services.analytics.kpis import kpi_refresh
from app.services.analytics.portfolio_dashboard import portfolio_summary
from app.services.analytics.stress import stress_runs
from app.services.shared import dispatch


# Idempotent (a run is taken by one worker at a time, a done one left as it is, a half-written one written again;
# a run whose worker died is queued again when looked at, ``services.shared.job_runs``): a lost worker's job is
# redelivered.
@shared_task(name=dispatch.RUN_STRESS, time_limit=1800, acks_late=True, reject_on_worker_lost=True)
def run_stress_test(run_id: int) -> int:
    """Compute the stress test run ``run_id``; returns how many customers it rated."""
    found = stress_runs.run(run_id)
    return int((found.summary or {}).get("customers", 0)) if found is not None else 0


# Idempotent (each run replaces the rows it computes): a lost worker's job is redelivered.
@shared_task(
    name="app.jobs.analytics.precompute_portfolio",
    time_limit=3600,
    acks_late=True,
    reject_on_worker_lost=True,
)
def precompute_portfolio() -> int:
    """Compute the dashboard of the whole bank and of each branch, in each language; returns the rows kept."""
    return portfolio_summary.refresh()


# Idempotent (each run replaces the pages it computes): a lost worker's job is redelivered.
@shared_task(
    name="app.jobs.analytics.precompute_kpis", time_limit=3600, acks_late=True, reject_on_worker_lost=True
)
def precompute_kpis() -> int:
    """Compute every scope's KPI pages of the default period, in each language; returns the rows kept."""
    return kpi_refresh.refresh()


# Idempotent (one analysis per event, a unique trigger): a lost worker's job is redelivered.
@shared_task(name=dispatch.START_CASE_ANALYSIS, time_limit=300, acks_late=True, reject_on_worker_lost=True)
def start_case_analysis(kind: str, ref: str) -> int | None:
    """Start the analysis of the event ``kind``/``ref`` unless it was started; returns its case's id."""
    case = start.start_for_event(kind, ref)
    return case.id if case is not None else None
