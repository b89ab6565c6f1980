"""The auditor's search over a large audit log: the time of one page at growing sizes, per filter.

Run from the repository root::

    .venv/bin/python bench/audit_search.py [--sizes 10000 100000 300000] [--calls 20]

A fresh SQLite file per size is filled with generated events (event types, actors, cases and customers
in realistic proportions, Core inserts: the chain's hashes are dummies, the search does not read them),
then each search is timed as the page function runs it (newest first, 50 rows, keyset by id), median of
``--calls``. The figure to read is the ratio of a page at the largest size to one at 10k (goal <= 1.5:
a page costs the same however long the log). Prints figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import AuditEvent, Customer, ProcessDefinition, ProcessInstance, User  # noqa: E402
from app.services.audit import audit_search  # noqa: E402
from app.services.audit.audit_search import AuditFilter  # noqa: E402
from config import TestingConfig  # noqa: E402

TYPES = [
    "task.ready",
    "task.claimed",
    "task.completed",
    "engine.decision_evaluated",
    "engine.gateway_taken",
    "engine.script_run",
    "instance.started",
    "instance.completed",
    "auth.login",
    "customer.updated",
]
SEARCHES = {
    "no filter": {},
    "one event type": {"event_type": "task.completed"},
    "a family": {"event_type": "engine."},
    "one user": {"user": "officer7"},
    "one customer": {"customer": "客户00042"},
    "one case": {"case": "CA-2026-000042"},
    "a month": {"date_from": "2026-06-01", "date_to": "2026-06-30"},
}


def fill(n: int) -> None:
    rng = random.Random(n)
    cases, customers = max(n // 40, 10), max(n // 200, 5)
    conn = db.session.connection()
    conn.execute(
        Customer.__table__.insert(),
        [
            dict(
                id=i + 1,
                name=f"客户{i:05d}",
                uscc=f"U{i:017d}",
                industry="services",
                size="small",
                credit_record="clean",
                listed=False,
                watchlist=False,
            )
            for i in range(customers)
        ],
    )
    conn.execute(
        User.__table__.insert(),
        [
            dict(
                id=1,
                username="compliance",
                display_name="c",
                password_hash="x",
                role="compliance",
                branch="head_office",
            )
        ],
    )
    conn.execute(
        ProcessDefinition.__table__.insert(),
        [
            dict(
                id=1,
                process_id="credit_application",
                name="c",
                version=1,
                content_hash="h",
                bpmn_file="f",
                bpmn_xml="",
                dmn_files={},
                forms={},
                called_files={},
            )
        ],
    )
    conn.execute(
        ProcessInstance.__table__.insert(),
        [
            dict(
                id=i + 1,
                reference=f"CA-2026-{i:06d}",
                definition_id=1,
                process_id="credit_application",
                customer_id=i % customers + 1,
                status="completed",
                outcome="approved",
                summary={},
                open_tasks=[],
                waiting_timers=0,
                state="",
                serializer_version="x",
                version=1,
            )
            for i in range(cases)
        ],
    )
    start = datetime(2026, 1, 1)
    rows = []
    for i in range(n):
        case = rng.randrange(cases)
        rows.append(
            dict(
                id=i + 1,
                occurred_at=start + timedelta(minutes=i * 525600 // n),
                event_type=rng.choice(TYPES),
                actor_name=f"officer{rng.randrange(50)}",
                instance_id=case + 1,
                customer_id=case % customers + 1,
                payload={"n": i},
                prev_hash=f"{i:064d}",
                hash=f"{i + 1:064d}",
            )
        )
        if len(rows) == 20000:
            conn.execute(AuditEvent.__table__.insert(), rows)
            rows = []
    if rows:
        conn.execute(AuditEvent.__table__.insert(), rows)
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 300_000])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    print(f"audit search, page of {audit_search.PAGE}, median of {args.calls} calls, SQLite file")
    results: dict[str, dict[int, float]] = {name: {} for name in SEARCHES}
    for size in args.sizes:
        path = Path(tempfile.mkdtemp()) / "audit.sqlite"
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
        with app.app_context():
            db.create_all()
            fill(size)
            auditor = db.session.get(User, 1)
            for name, args_ in SEARCHES.items():
                filters = AuditFilter.from_args(args_)
                times = []
                for _ in range(args.calls):
                    t0 = time.perf_counter()
                    audit_search.search(auditor, filters)
                    times.append(time.perf_counter() - t0)
                results[name][size] = statistics.median(times)
            db.session.remove()
            db.engine.dispose()
    header = "".join(f"{s:>12,}" for s in args.sizes)
    print(f"{'search':<16}{header}   largest / first")
    for name, by_size in results.items():
        first, last = by_size[args.sizes[0]], by_size[args.sizes[-1]]
        print(
            f"{name:<16}"
            + "".join(f"{by_size[s] * 1000:>10.2f}ms" for s in args.sizes)
            + f"   {last / first:>6.2f}"
        )


if __name__ == "__main__":
    main()
