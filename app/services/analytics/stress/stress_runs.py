"""Running a stress scenario: a risk manager asks for a run, a Celery job computes it over the whole book
(``stress_book`` reads it, ``stress_compute`` rates it) and keeps, with the run, the whole bank's summary, the
figures by industry and one outcome row per customer (the drill-down, and a branch's own figures).

A run keeps the shocks it ran with (the scenario may be edited after) and the rules in force then are what it
evaluated. Running again is safe: a run already done is left as it is, and a redelivered job replaces a
half-written run's outcomes.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select, update

from app.errors import NotFound
from app.extensions import db
from app.models import StressOutcome, StressRun, User
from app.models.base import utcnow
from app.services.analytics.stress import stress_book, stress_compute, stress_scenarios
from app.services.audit import audit
from app.services.shared import dispatch, job_runs
from app.services.shared.rows import rowcount
from app.services.shared.unit_of_work import unit_of_work

OUTCOME_BATCH = 5000
LOST_AFTER = timedelta(minutes=35)  # since taken; the job's time limit is 30 minutes (``app.jobs.analytics``)


def request(user: User, scenario_id: int) -> StressRun:
    """A risk manager asks for a run of the scenario; its job is queued with it."""
    stress_scenarios.check_keeper(user)
    scenario = stress_scenarios.get(user, scenario_id)
    with unit_of_work():
        run = StressRun(
            scenario_id=scenario.id,
            shocks=list(scenario.shocks),
            status="queued",
            started_by_id=user.id,
            started_at=utcnow(),
        )
        db.session.add(run)
        db.session.flush()
        audit.record("stress.run_requested", user, scenario_id=scenario.id, run_id=run.id)
        dispatch.enqueue(dispatch.RUN_STRESS, run.id)
    return run


def _rows(run_id: int, outcome) -> list[dict[str, Any]]:
    frame = outcome.assign(run_id=run_id, customer_id=outcome.index.astype(int))
    frame["new_warnings"] = frame.new_warnings.replace("", None)
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def run(run_id: int) -> StressRun | None:
    """Compute the run ``run_id`` (the job's one call) and keep what it found; None when there is no such run."""
    # Taken in one statement (``job_runs.take``): the job and a second delivery of it (or a test running it by hand
    # while a worker takes its job) would both rewrite the outcomes, and one of them fail on the other's rows. A
    # failed run asked for again is taken; one running past the job's time limit since taken was lost with its
    # worker and is taken again.
    taken = job_runs.take(StressRun, run_id, LOST_AFTER, takeable=("queued", "failed"))
    found = db.session.get(StressRun, run_id)
    if found is not None:
        db.session.refresh(found)
    if found is None or taken is None:
        return found
    try:
        book, left_out = stress_book.book_frame()
        start = time.perf_counter()
        tables = stress_compute.Tables.load(current_app.config["RULES_DIR"])
        outcome = stress_compute.run(book, found.shocks, tables) if not book.empty else None
        seconds = time.perf_counter() - start
        db.session.execute(delete(StressOutcome).where(StressOutcome.run_id == found.id))
        if outcome is not None:
            rows = _rows(found.id, outcome)
            for first in range(0, len(rows), OUTCOME_BATCH):
                db.session.execute(insert(StressOutcome), rows[first : first + OUTCOME_BATCH])
            figures = stress_compute.summary(outcome)
        else:
            figures = {"customers": 0, "industries": []}
        if not rowcount(
            db.session.execute(
                update(StressRun)
                .where(job_runs.mine(StressRun, found.id, taken))
                .values(
                    industries=figures.pop("industries"),
                    summary={**figures, "left_out": left_out},
                    status="done",
                    finished_at=utcnow(),
                    seconds=round(seconds, 3),  # the computation's own time
                )
                .execution_options(synchronize_session=False)
            )
        ):  # lost and queued again meanwhile: the worker that took it over writes the outcomes
            db.session.rollback()
            db.session.refresh(found)
            return found
        audit.record(
            "stress.run_finished",
            None,
            run_id=found.id,
            customers=figures["customers"],
            seconds=round(seconds, 3),
        )
        db.session.commit()
    except Exception as exc:  # noqa: BLE001 - whatever stopped it, the page says so instead of waiting
        db.session.rollback()
        db.session.execute(
            update(StressRun)
            .where(job_runs.mine(StressRun, found.id, taken))
            .values(status="failed", finished_at=utcnow(), failure=str(exc)[:500])
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        raise
    db.session.refresh(found)
    return found


def revive_lost() -> int:
    """Queue again the runs whose worker was lost, or fail those taken too often (``job_runs.revive``); how many."""

    def failed(found: StressRun) -> None:
        found.status, found.finished_at = "failed", utcnow()
        found.failure = "the run did not finish in time; run it again"

    return job_runs.revive(StressRun, LOST_AFTER, dispatch.RUN_STRESS, failed)


def get(user: User, run_id: int) -> StressRun:
    stress_scenarios.check_reader(user)
    revive_lost()
    found = db.session.get(StressRun, run_id)
    if found is None:
        raise NotFound(_("No stress test run %(id)s.", id=run_id))
    return found


def last_runs() -> dict[int, StressRun]:
    """Each scenario's last run, by scenario id (those runs only: every run kept, with its figures, would be
    read on each view of the page otherwise); a run whose worker was lost is queued again first."""
    revive_lost()
    last = select(func.max(StressRun.id)).group_by(StressRun.scenario_id)
    runs = db.session.scalars(select(StressRun).where(StressRun.id.in_(last)))
    return {r.scenario_id: r for r in runs}
