"""Analytics' jobs: the case analysis an event asks for (案例分析), started after the step that recorded it."""

from celery import shared_task

from app.services.analytics.case_library import start
from app.services.shared import dispatch


# Idempotent (one analysis per event, a unique trigger): a lost worker's job is redelivered.
@shared_task(name=dispatch.START_CASE_ANALYSIS, time_limit=300, acks_late=True, reject_on_worker_lost=True)
def start_case_analysis(kind: str, ref: str) -> int | None:
    """Start the analysis of the event ``kind``/``ref`` unless it was started; returns its case's id."""
    case = start.start_for_event(kind, ref)
    return case.id if case is not None else None
