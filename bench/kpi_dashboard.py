"""The KPI dashboard (绩效考核) at 10k and 1M credit applications: the time to compute the page's figures.

Run from the repository root::

    createdb -h 127.0.0.1 -U postgres bench_kpis              # once: a database of its own
    .venv/bin/python bench/kpi_dashboard.py                     # 10k
    .venv/bin/python bench/kpi_dashboard.py --sizes 10000 1000000

The database is ``--database-url``, else ``postgresql+psycopg://postgres@127.0.0.1:5432/bench_kpis``. Each size
is a schema of its own there, ``kpis_<size>``, DROPPED and re-created (a database called ``test`` is refused).

The book: 40 officers and 10 approvers in 5 branches; each application has four human tasks (intake,
statements, proposal, a sign-off with its SLA: one in ten late, one in fifty escalated, one in twenty returned),
started over the last two years; three in four decided (one in five of those rejected), each with its facility;
2% of the customers downgraded in the period, 3% with a warning. Loaded with COPY, then analysed.

Timed: ``kpi_pages.dashboard`` as management (the whole bank, a year against the year before: every figure of
the page and every person's score), as a branch's approver, as an officer, and one officer's page: first live
(``--live-calls`` after a warm-up; 0 skips them), then the job that keeps every scope's pages
(``kpi_refresh.refresh``) once, then the same pages read from what it kept (``--calls``). Goal: <= 2 s at 1M on
PostgreSQL. Prints figures, asserts nothing, exits 0.

Measured on the shared 2-core machine (2026-12-06), live / kept:

    size   management        branch approver   officer           person page       the job (192 pages)
    10k    0.43 s / 0.007 s  0.37 s / 0.005 s  0.22 s / 0.005 s  0.13 s / 0.003 s   5.0 s
    1M     52 s   / 0.14 s   75 s   / 0.14 s   27 s   / 0.14 s   19 s   / 0.003 s   69 s

Live, the page reads the period's task and decision rows (COPY -> pandas) and grows with them; the job reads the
whole bank's rows of the two periods once and narrows them in memory to every scope, so it costs little more than
one live page. A kept dashboard's 0.14 s at 1M is the list of segments for its filter (a DISTINCT over the
customers).
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
import time  # noqa: E402
from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    Customer,
    EarlyWarning,
    Facility,
    HumanTask,
    ProcessDefinition,
    ProcessInstance,
    RatingChange,
    User,
)
from app.models.base import utcnow  # noqa: E402
from app.services.analytics.filters import Filters  # noqa: E402
from app.services.analytics.kpis import kpi_pages, kpi_refresh  # noqa: E402
from bench.customer_pages_seed import Loader, analyse  # noqa: E402
from bench.size_runs import fresh_app, trigram_in_public  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_kpis"
BRANCHES = ("shanghai", "beijing", "shenzhen", "guangzhou", "hangzhou")
BATCH = 50_000
STEPS = ("application_intake", "financial_statements", "review_proposal", "approval_signoff")


def staff(load: Loader) -> tuple[list[int], list[int]]:
    rows, officers, approvers = [], [], []
    for i in range(50):
        role = "officer" if i < 40 else "approver"
        rows.append(
            {
                "id": i + 1,
                "username": f"{role}{i}",
                "display_name": f"{role} {i}",
                "password_hash": "x",
                "role": role,
                "authority_level": 1 if role == "approver" else None,
                "branch": BRANCHES[i % len(BRANCHES)],
                "active": True,
                "must_change_password": False,
                "created_at": utcnow(),
                "session_epoch": 0,
            }
        )
        (officers if role == "officer" else approvers).append(i + 1)
    rows.append({**rows[0], "id": 51, "username": "risk", "role": "risk_manager", "branch": "head_office"})
    load(User, rows)
    db.session.add(
        ProcessDefinition(
            id=1,
            process_id="credit_application",
            name="x",
            version=1,
            content_hash="x",
            bpmn_file="x",
            bpmn_xml="",
            dmn_files={},
            forms={},
            called_files={},
        )
    )
    db.session.flush()
    return officers, approvers


def populate(size: int, load: Loader) -> None:
    rng = random.Random(size)
    officers, approvers = staff(load)
    now = utcnow()
    task_id = 0
    for start in range(0, size, BATCH):
        customers, cases, tasks, facilities, changes, warnings = [], [], [], [], [], []
        for n in range(start, min(start + BATCH, size)):
            officer = officers[n % len(officers)]
            approver = approvers[n % len(approvers)]
            customers.append(
                {
                    "id": n + 1,
                    "name": f"客户{n}",
                    "uscc": f"{n:018d}",
                    "industry": "manufacturing",
                    "size": "medium",
                    "credit_record": "clean",
                    "listed": False,
                    "officer_id": officer,
                    "segment": ("sme", "mid_corporate", "large_corporate")[n % 3],
                    "watchlist": False,
                    "live_limit": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            started = now - timedelta(days=rng.uniform(0, 730))
            decided, rejected, late = rng.random() < 0.75, rng.random() < 0.2, rng.random() < 0.1
            escalated_case, returned = rng.random() < 0.02, rng.random() < 0.05
            at = started
            for k, spec in enumerate(STEPS):
                took = timedelta(days=rng.uniform(0.1, 3))
                last = k == len(STEPS) - 1
                escalated = last and escalated_case
                open_now = last and not decided
                task_id += 1
                tasks.append(
                    {
                        "id": task_id,
                        "instance_id": n + 1,
                        "task_uuid": str(task_id),
                        "task_spec": spec,
                        "name": f"{spec} / 步骤",
                        "lane": "approver" if last else "officer",
                        "state": "ready" if open_now else ("cancelled" if escalated else "completed"),
                        "required_level": 1 if last else None,
                        "assignee_id": approver if last else officer,
                        "created_at": at,
                        "completed_at": None if open_now else at + took,
                        "due_at": at + timedelta(days=0.05 if late else 3.1) if last else None,
                        "completed_by_id": None if open_now or escalated else (approver if last else officer),
                        "submitted": {"decision": "return" if returned else "approve"} if last else None,
                    }
                )
                at += took
            cases.append(
                {
                    "id": n + 1,
                    "reference": f"CA-{n:010d}",
                    "definition_id": 1,
                    "process_id": "credit_application",
                    "customer_id": n + 1,
                    "status": "completed" if decided else "running",
                    "current_step": None if decided else "Sign off / 审批",
                    "summary": {"approval_route": "committee" if n % 7 == 0 else "single"},
                    "open_tasks": [],
                    "waiting_timers": 0,
                    "state": "{}",
                    "serializer_version": "x",
                    "version": 1,
                    "started_by_id": officer,
                    "started_at": started,
                    "updated_at": at,
                    "completed_at": at if decided else None,
                }
            )
            if decided:
                facilities.append(
                    {
                        "id": n + 1,
                        "customer_id": n + 1,
                        "instance_id": n + 1,
                        "status": "rejected" if rejected else "active",
                        "limit_amount": Decimal(1_000_000),
                        "decided_by_id": approver,
                        "decided_at": at,
                    }
                )
            if n % 50 == 3:
                changes.append(
                    {
                        "customer_id": n + 1,
                        "reason": "review",
                        "grade_before": "A",
                        "grade_after": "BBB",
                        "class_before": "normal",
                        "class_after": "substandard" if n % 200 == 3 else "normal",
                        "changed_at": now - timedelta(days=rng.uniform(0, 700)),
                    }
                )
            if n % 33 == 5:
                warnings.append(
                    {
                        "customer_id": n + 1,
                        "code": "bench",
                        "name": "Bench / 测试",
                        "severity": "medium",
                        "status": "open",
                        "evidence": {},
                        "rule_id": "r",
                        "rules_hash": "x",
                        "detected_at": now - timedelta(days=rng.uniform(0, 700)),
                    }
                )
        for model, rows in (
            (Customer, customers),
            (ProcessInstance, cases),
            (HumanTask, tasks),
            (Facility, facilities),
            (RatingChange, changes),
            (EarlyWarning, warnings),
        ):
            load(model, rows)
        db.session.commit()
        print(f"  {min(start + BATCH, size):,} cases loaded", flush=True)


def timed(call, calls: int) -> tuple[float, float]:
    call()  # warm-up
    times = []
    for _ in range(calls):
        db.session.expire_all()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument(
        "--live-calls", type=int, default=1, help="timed calls of the live pages (0: skip them)"
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    if args.database_url.rstrip("/").endswith("/test"):
        sys.exit("refused: the test database is the test runs'")
    trigram_in_public(args.database_url)
    for size in args.sizes:
        app = fresh_app(args.database_url, f"kpis_{size}")
        with app.test_request_context(headers={"Accept-Language": "en"}):
            started = time.perf_counter()
            populate(size, Loader())
            analyse()
            print(f"{size:,} cases: loaded in {time.perf_counter() - started:.0f} s")
            measure(args.calls, args.live_calls)
            db.engine.dispose()


def measure(calls: int, live_calls: int) -> None:
    """Live (``live_calls`` after a warm-up; 0: skip), the job once, then the pages it kept (``calls``)."""
    filters = Filters.parse({})
    people = {u.username: u for u in db.session.scalars(db.select(User))}
    pages = {
        "dashboard as risk_manager": lambda: kpi_pages.dashboard(people["risk"], filters),
        "dashboard as approver": lambda: kpi_pages.dashboard(people["approver40"], filters),
        "dashboard as officer": lambda: kpi_pages.dashboard(people["officer0"], filters),
        "person page": lambda: kpi_pages.person(people["risk"], people["officer0"].id, filters),
    }
    if live_calls:
        for name, call in pages.items():
            median, worst = timed(call, live_calls)
            print(f"  live {name:<27} median {median:7.2f} s  max {worst:7.2f} s", flush=True)
    started = time.perf_counter()
    kept = kpi_refresh.refresh()
    db.session.commit()
    print(f"  the job kept {kept} pages in {time.perf_counter() - started:.1f} s", flush=True)
    for name, call in pages.items():
        median, worst = timed(call, calls)
        print(f"  kept {name:<27} median {median:7.3f} s  max {worst:7.3f} s", flush=True)
        if not call().precomputed:
            print(f"  ({name} was computed live: the job kept no page for it)")


if __name__ == "__main__":
    main()
