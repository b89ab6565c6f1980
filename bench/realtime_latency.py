"""Real-time monitoring's latency: from the API call that stores an observation to the warning's row, under a
sustained stream of observations, with a real Celery worker on Redis and PostgreSQL.

Run from the repository root, on a PostgreSQL database of its own (it drops and re-creates every table)::

    createdb -h 127.0.0.1 -U postgres bench_realtime
    .venv/bin/python bench/realtime_latency.py [--rate 200] [--seconds 30] [--batch 10] [--alarming 0.05]
        [--customers 20000] [--concurrency 2] [--senders 2]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_realtime]
        [--broker redis://127.0.0.1:6379/9]

**The book.** ``--customers`` customers with a live facility (Core inserts): each is observed once, so every
alarming observation raises exactly one warning (days past due 45: ``past_due_30``) and starts its escalation.

**The stream.** ``--senders`` processes post ``{"observations": [...]}`` batches of ``--batch`` to
``/api/v1/monitoring/observations`` (the Flask test client: the whole request, token, checks, store, audit and
the job's relay to Redis) at ``--rate`` observations a second together, for ``--seconds``; ``--alarming`` of them
are past due, the rest ordinary. Each request queues one job (``check_customers``) for its batch; a Celery worker
(``--concurrency`` children, development settings: real time on) runs the warning rules and starts the escalations.

**The figure.** For each alarming observation: the warning's ``detected_at`` (written by the worker) minus the
moment its API call began; p50, p95 and the largest, and how many never came within two minutes. The baseline,
measured first in the same run: the same latency for alarming observations posted one at a time, a second apart,
with nothing else running. Prints figures; asserts nothing; exits 0.
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
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import UTC, date  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

WAIT_SECONDS = 120  # how long the bench waits for the last warnings


def _settings(url: str, broker: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "CREDIT_CELERY_RESULT_BACKEND": broker.rsplit("/", 1)[0] + "/15",
        "CREDIT_ENV": "development",
        "CREDIT_MONITORING_REALTIME": "true",
        "CREDIT_DOCUMENTS_ON_DECISION": "false",
        "CREDIT_AUDIT_ANCHOR": "off",
        "CREDIT_LOG_LEVEL": "WARNING",
        "CREDIT_SECRET_KEY": "bench-realtime-latency-secret-key-0123456789",
    }


def _app():
    from app import create_app

    return create_app()  # the settings above, from the environment


def _prepare(customers: int) -> tuple[int, str]:
    """Tables made again, people, the workflows deployed, the book; returns the officer's id and the credit
    application's definition."""
    from app.extensions import db
    from app.models import Customer, Facility, ProcessDefinition, ProcessInstance
    from app.services.design.deployment import deployment
    from tests import factories

    app = _app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("give a PostgreSQL URL of a database of its own (--database-url)")
        db.drop_all()
        db.create_all()
        people = factories.people()
        deployment.deploy_files(note="bench")
        definition = db.session.scalar(
            db.select(ProcessDefinition.id).where(ProcessDefinition.process_id == "credit_application")
        )
        rows: dict = {Customer: [], ProcessInstance: [], Facility: []}
        for i in range(1, customers + 1):
            rows[Customer].append(
                dict(
                    id=i,
                    name=f"实时客户{i:06d}",
                    uscc=_uscc(i),
                    industry="manufacturing",
                    size="medium",
                    credit_record="clean",
                    segment="mid_corporate",
                    grade="BBB",
                    loan_class="normal",
                    officer_id=people.officer.id,
                    listed=False,
                    watchlist=False,
                )
            )
            rows[ProcessInstance].append(
                dict(
                    id=i,
                    reference=f"CA-{i:07d}",
                    definition_id=definition,
                    process_id="credit_application",
                    customer_id=i,
                    status="completed",
                    outcome="approved",
                    summary={},
                    open_tasks=[],
                    waiting_timers=0,
                    state="",
                    serializer_version="x",
                    version=1,
                )
            )
            rows[Facility].append(
                dict(customer_id=i, instance_id=i, status="active", limit_amount=10_000_000)
            )
        connection = db.session.connection()
        for table, values in rows.items():
            for start in range(0, len(values), 10_000):
                connection.execute(table.__table__.insert(), values[start : start + 10_000])
        for table in ("customer", "process_instance", "facility"):  # the next ids after the ones given
            db.session.execute(
                db.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                )
            )
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
        return people.officer.id, str(definition)


def _uscc(i: int) -> str:
    from app.services.admin.demo import demo_uscc

    return demo_uscc(i)


def _send(customer_ids: list[int], rate: float, batch: int, alarming: float, seconds: float, out) -> None:
    """One sender: batches of ``batch`` customers' observations at ``rate`` a second; puts (customer id, the
    call's start as epoch seconds) for each alarming one, then the observations sent and the calls' times."""
    logging.disable(logging.WARNING)
    from app.services.admin import users

    app = _app()
    with app.app_context():
        token = users.issue_token("officer")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    every = max(1, round(1 / alarming)) if alarming > 0 else 0
    today = date.today().isoformat()
    sent, calls, marks, began = 0, [], [], time.perf_counter()
    for start in range(0, len(customer_ids), batch):
        due = began + start / rate
        if (wait := due - time.perf_counter()) > 0:
            time.sleep(wait)
        if time.perf_counter() - began > seconds:
            break
        chunk = customer_ids[start : start + batch]
        items = [
            {"uscc": _uscc(c), "observed_on": today, "days_past_due": 45}
            if every and c % every == 0
            else {"uscc": _uscc(c), "observed_on": today, "utilization_pct": 40}
            for c in chunk
        ]
        at, t0 = time.time(), time.perf_counter()
        response = client.post(
            "/api/v1/monitoring/observations", json={"observations": items}, headers=headers
        )
        calls.append(time.perf_counter() - t0)
        if response.status_code != 201:
            print(f"  ! {response.status_code} {response.get_data(as_text=True)[:200]}", flush=True)
            continue
        sent += len(chunk)
        marks += [(c, at) for c in chunk if every and c % every == 0]
    out.put((sent, time.perf_counter() - began, calls, marks))


def _latencies(marks: list[tuple[int, float]]) -> tuple[list[float], int]:
    """Seconds from each call to its warning's row, once every warning is in (or two minutes passed); and how
    many never came."""
    from app.extensions import db
    from app.models import EarlyWarning

    wanted = {c: at for c, at in marks}
    found: dict[int, float] = {}
    deadline = time.perf_counter() + WAIT_SECONDS
    app = _app()
    with app.app_context():
        while len(found) < len(wanted) and time.perf_counter() < deadline:
            rows = db.session.execute(
                db.select(EarlyWarning.customer_id, EarlyWarning.detected_at).where(
                    EarlyWarning.customer_id.in_(list(set(wanted) - set(found)))
                )
            ).all()
            for customer_id, detected_at in rows:
                found[customer_id] = detected_at.replace(tzinfo=UTC).timestamp() - wanted[customer_id]
            db.session.rollback()
            time.sleep(0.2)
    return list(found.values()), len(wanted) - len(found)


def _figures(name: str, seconds: list[float], missing: int) -> float:
    if not seconds:
        print(f"{name:<34} no warning came ({missing} missing)")
        return float("nan")
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    p50 = statistics.median(ordered)
    print(
        f"{name:<34} {len(ordered):>6} warnings  p50 {p50:6.2f} s  p95 {p95:6.2f} s  max {ordered[-1]:6.2f} s"
        f"  missing {missing}",
        flush=True,
    )
    return p50


def _worker(concurrency: int) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "app.worker",
            "worker",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ},
        stdout=subprocess.DEVNULL,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_realtime"
    )
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--rate", type=float, default=200, help="observations a second, all senders together")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--batch", type=int, default=10, help="observations per API call (one job each)")
    parser.add_argument(
        "--alarming", type=float, default=0.05, help="the share past due (each one a warning)"
    )
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's children")
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--baseline", type=int, default=10, help="alarming observations posted one at a time")
    args = parser.parse_args()
    if args.database_url.rstrip("/").endswith("/test"):
        sys.exit("the test database is CI's: give the bench one of its own (createdb bench_realtime)")
    os.environ.update(_settings(args.database_url, args.broker))
    subprocess.run(["redis-cli", "-u", args.broker, "flushdb"], check=False, capture_output=True)
    logging.disable(logging.WARNING)
    began = time.perf_counter()
    _prepare(args.customers)
    print(
        f"real-time latency: {args.customers:,} customers with a live facility (made in "
        f"{time.perf_counter() - began:.1f} s), PostgreSQL, a Celery worker of {args.concurrency} on Redis, "
        f"{os.cpu_count()} cpu(s), load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    worker = _worker(args.concurrency)
    try:
        time.sleep(8)  # the worker up and listening
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        base_ids = list(range(1, args.baseline + 1))
        sender = context.Process(target=_send, args=(base_ids, 1.0, 1, 1.0, args.baseline + 5, out))
        sender.start()
        _sent, _wall, _calls, marks = out.get()
        sender.join()
        base = _figures("one at a time, a second apart", *_latencies(marks))

        pool = list(range(args.baseline + 1, args.customers + 1))
        share = [pool[i :: args.senders] for i in range(args.senders)]
        senders = [
            context.Process(
                target=_send,
                args=(ids, args.rate / args.senders, args.batch, args.alarming, args.seconds, out),
            )
            for ids in share
        ]
        for process in senders:
            process.start()
        results = [out.get() for _ in senders]
        for process in senders:
            process.join()
        sent = sum(r[0] for r in results)
        wall = max(r[1] for r in results)
        calls = sorted(c for r in results for c in r[2])
        marks = [m for r in results for m in r[3]]
        print(
            f"offered {args.rate:.0f} observations/s in batches of {args.batch} for {args.seconds:.0f} s: sent "
            f"{sent:,} in {wall:.1f} s = {sent / wall:.0f}/s; API call p50 "
            f"{1000 * statistics.median(calls):.0f} ms, p95 {1000 * calls[int(0.95 * len(calls))]:.0f} ms",
            flush=True,
        )
        loaded = _figures(f"under {sent / wall:.0f} observations/s", *_latencies(marks))
        print(f"p50 under load ÷ p50 one at a time: {loaded / base:.1f}")
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:  # still finishing a job: stopped
            worker.kill()
            worker.wait(30)


if __name__ == "__main__":
    main()
