"""Timer firing: where the time goes per fired timer, and how firing scales with 1, 2 and 4 workers.

Run from the repository root, on a PostgreSQL database of its own (it drops and re-creates every table)::

    createdb -h 127.0.0.1 -U postgres bench_loops
    .venv/bin/python bench/timer_firing.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_loops
    .venv/bin/python bench/timer_firing.py --timers 1000 --workers 1,2,4

**What is fired.** For each round, ``--timers`` cases of ``tests/data/bpmn/timer_wait.bpmn`` (start → a one-second
timer → a script → end) are started through ``cases.start_case``; once their timers are due, the workers fire
them. A worker is a process of its own (as a Celery worker's child is), with its own app, connection and a cold
engine cache, calling ``timers.fire_due(limit=None)`` — the tick's loop: claim the next due timer (``FOR UPDATE
SKIP LOCKED``), load the instance, restore its workflow, fire, project, audit, commit — until none is due. The
round's figure is timers fired ÷ the wall time from the workers' start to the last one's end.

**Where the time goes.** Each worker wraps, for itself, the parts of a fire with a clock: the claim query
(``timers._next_due``), who works the case (``directory.for_case``, for the engine's lanes), the bundle lookup, restoring the stored state (``serialization.load``), the engine step
without the restore, the projections and the domains' reactions (``steps.apply_step``, ``app/step_reactions.py`` ...), waiting for the
audit chain's lock (``audit._lock_chain``) and the whole commit (``Session.commit``, which holds the audit
chain's lock wait and write, then the database's COMMIT). It prints milliseconds per fired timer for each
part, summed over the round's workers (so with four workers the parts add to four times the wall time).

Prints figures; asserts nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import logging  # noqa: E402
import multiprocessing  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

BPMN = ROOT / "tests" / "data" / "bpmn" / "timer_wait.bpmn"
PARTS = (
    "claim",
    "directory",
    "bundle",
    "restore",
    "engine step",
    "projections",
    "audit lock wait",
    "commit (all)",
)


def _app(url: str):
    from app import create_app
    from config import BaseConfig

    return create_app(
        BaseConfig,
        SQLALCHEMY_DATABASE_URI=url,
        CELERY_ALWAYS_EAGER=True,
        LOG_LEVEL="WARNING",
        DOCUMENTS_ON_DECISION=False,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    )


def _clocked(owner, name: str, part: str, spent: Counter) -> None:
    real = getattr(owner, name)

    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[part] += time.perf_counter() - began

    setattr(owner, name, timed)


def _instrument(spent: Counter) -> None:
    """Clocks around the parts of a fire, for this process only."""
    from sqlalchemy.orm import Session

    import app.engine as engine_pkg
    from app.engine.runtime import serialization
    from app.services.approval import staffing
    from app.services.audit import audit
    from app.services.cases import steps, timers
    from app.services.customers import case_sync
    from app.services.monitoring import reviews, risk_controls
    from app.services.notifications import notifications

    _clocked(timers, "_next_due", "claim", spent)
    _clocked(timers, "for_case", "directory", spent)
    _clocked(steps.deployment, "bundle_for", "bundle", spent)
    _clocked(serialization, "load", "restore", spent)
    _clocked(engine_pkg, "fire_due_timers", "engine step", spent)  # the restore inside is taken off below
    _clocked(steps, "apply_step", "projections", spent)
    for module in (
        risk_controls,
        reviews,
        notifications,
        staffing,
    ):  # the step's reactions (app/step_reactions.py)
        _clocked(module, "after_step", "projections", spent)
    _clocked(case_sync, "sync_from_case", "projections", spent)
    _clocked(audit, "_lock_chain", "audit lock wait", spent)
    _clocked(Session, "commit", "commit (all)", spent)


def _worker(url: str, ready, start, results) -> None:
    logging.disable(logging.WARNING)
    spent: Counter = Counter()
    app = _app(url)
    with app.app_context():
        from app.extensions import db
        from app.services.cases import timers

        _instrument(spent)
        db.session.execute(db.text("SELECT 1"))  # connected before the clock starts
        db.session.rollback()
        ready.put(True)
        start.wait()
        fired = timers.fire_due(limit=None)
    spent["engine step"] -= spent["restore"]
    results.put((fired, dict(spent)))


def _round(url: str, count: int, workers: int) -> tuple[int, float, Counter]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Timer
    from app.services.cases import cases

    app = _app(url)
    with app.app_context():
        officer = _officer()
        for _ in range(count):
            cases.start_case(officer, "timer_wait")
        time.sleep(1.2)  # PT1S: every timer is due
        context = multiprocessing.get_context("spawn")
        ready, start, results = context.Queue(), context.Event(), context.Queue()
        processes = [
            context.Process(target=_worker, args=(url, ready, start, results)) for _ in range(workers)
        ]
        for process in processes:
            process.start()
        for _process in processes:
            ready.get()  # each has its app, clocks and connection
        began = time.perf_counter()
        start.set()
        outcomes = [results.get() for _ in processes]
        for process in processes:
            process.join()
        wall = time.perf_counter() - began
        left = db.session.scalar(select(func.count()).select_from(Timer).where(Timer.status == "waiting"))
        db.session.remove()
    fired = sum(f for f, _ in outcomes)
    spent: Counter = Counter()
    for _, parts in outcomes:
        spent.update(parts)
    if left or fired != count:
        print(f"  ! {fired} fired of {count}, {left} still waiting")
    return fired, wall, spent


def _officer():
    from app.extensions import db
    from app.models import User

    return db.session.query(User).filter_by(username="officer").one()


def _prepare(url: str) -> None:
    from app.extensions import db
    from app.services.design.deployment import deployment
    from tests import factories

    app = _app(url)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("give a PostgreSQL URL of a database of its own (--database-url)")
        db.drop_all()
        db.create_all()
        factories.people()
        deployment.deploy_files([BPMN])
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_loops")
    parser.add_argument("--timers", type=int, default=1000)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    _prepare(args.database_url)
    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        fired, wall, spent = _round(args.database_url, args.timers, workers)
        rows.append((workers, fired, wall, spent))
        print(f"{workers} worker(s): {fired} timers in {wall:.1f} s = {fired / wall:.0f}/s", flush=True)
    base = rows[0][1] / rows[0][2]
    print(
        "\nworkers  fired/s  speed-up  | ms per fired timer, summed over workers: "
        + ", ".join(PARTS)
        + ", rest"
    )
    for workers, fired, wall, spent in rows:
        per = {part: 1000 * spent[part] / fired for part in PARTS}
        inside = sum(per[p] for p in PARTS if p not in ("audit lock wait",))
        # commit (all) holds the audit lock wait: the rest is the workers' time outside every clocked part
        rest = 1000 * workers * wall / fired - inside
        print(
            f"{workers:>7}  {fired / wall:>7.0f}  {fired / wall / base:>8.2f}  | "
            + ", ".join(f"{per[p]:.2f}" for p in PARTS)
            + f", {rest:.2f}"
        )


if __name__ == "__main__":
    main()
