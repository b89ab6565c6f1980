"""A bank's day under load: 100 simulated staff against the web app under gunicorn (4 workers) on PostgreSQL.

Run from the repository root, with Locust installed (``pip install -e '.[load]'``), PostgreSQL and Redis up::

    createdb -h 127.0.0.1 -U postgres bench_load
    .venv/bin/python bench/load_day.py [--users 100] [--spawn-rate 10] [--minutes 3] [--wait 2 8]
        [--settle 30] [--review 300] [--approval 200] [--reuse]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_load]
        [--broker redis://127.0.0.1:6379/13] [--port 8765]

**The database** (dropped and created again unless ``--reuse``; a URL ending in ``/test`` is refused):
``flask db upgrade``, ``flask workflows deploy --note load``, ``flask demo load``, then ``load_day_seed.py``
adds ``--review`` cases waiting at an officer's review and ``--approval`` at an approver's sign-off. The Redis
database of ``--broker`` is emptied: the jobs the requests queue stay there (no worker runs; queueing is what a
request pays).

**The server**: ``gunicorn -w 4 wsgi:app`` with the production settings (``CREDIT_ENV=production``: its start-up
checks pass with keys made for this bench alone, Redis for the broker, results and the log-in counts, an audit
anchor in a temporary folder), except the session cookie's ``Secure`` flag, as the bench speaks plain HTTP.

**The staff** (``load_day_users.py``): officers, approvers, compliance and risk/management in the proportions of
``MIX``, spawned at ``--spawn-rate`` a second, each logging in once, then clicking every ``--wait`` seconds for
``--minutes``. Prints throughput, p50 and p95 per page over the whole run and over its steady part (from
``--settle`` seconds after the last log-in), the failures by kind, the 409s of lost races apart, whether each
page's steady p95 is under 300 ms, and the CPU that gunicorn, PostgreSQL and Locust used. Asserts nothing; exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import hashlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"
GOAL_MS = 300
WORKERS = 4
# Of every 100 people: officers, approvers, compliance, risk and management.
MIX = {"Officer": 50, "Approver": 25, "Compliance": 10, "Management": 15}
BIN = Path(sys.executable).parent


def _bench_key(purpose: str) -> str:
    """A key for this bench's database alone, the same at every run (``--reuse`` keeps the audit chain's key):
    64 hex digits, which production's start-up check accepts. Never a key for a real deployment."""
    return hashlib.sha256(f"bench_load {purpose} key".encode()).hexdigest()


def settings(url: str, broker: str, scratch: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "CREDIT_ENV": "production",
        "CREDIT_SECRET_KEY": _bench_key("session"),
        "CREDIT_AUDIT_KEY": _bench_key("audit"),
        "CELERY_BROKER_URL": broker,
        "CREDIT_CELERY_RESULT_BACKEND": broker,
        "CREDIT_CELERY_ALWAYS_EAGER": "false",
        "CREDIT_RATELIMIT_STORAGE_URI": broker,
        "CREDIT_AUDIT_ANCHOR": str(scratch / "audit-anchor"),
        "CREDIT_DOCUMENT_STORE": str(scratch / "documents"),
        "CREDIT_SESSION_COOKIE_SECURE": "false",  # plain HTTP on 127.0.0.1: a Secure cookie would never return
        "CREDIT_LOG_LEVEL": "WARNING",
        "FLASK_APP": "wsgi.py",
        "PYTHONPATH": str(ROOT),  # this checkout's app, not an installed one
    }


def _run(command: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    last = (done.stdout.strip().splitlines() or [""])[-1]
    shown = " ".join([Path(command[0]).name, *command[1:]])
    print(f"  {shown}: {time.perf_counter() - started:.0f} s  {last}", flush=True)


def prepare(url: str, broker: str, env: dict[str, str], review: int, approval: int) -> None:
    """A fresh database with the demo and the work waiting; the broker's Redis database emptied."""
    target = make_url(url)
    pg = [
        "-h",
        target.host or "127.0.0.1",
        "-p",
        str(target.port or 5432),
        "-U",
        target.username or "postgres",
    ]
    subprocess.run(["dropdb", *pg, "--if-exists", target.database], check=True)
    subprocess.run(["createdb", *pg, target.database], check=True)
    flask = str(BIN / "flask")
    _run([flask, "db", "upgrade"], env)
    _run([flask, "workflows", "deploy", "--note", "load"], env)
    _run([flask, "demo", "load"], env)
    _run(
        [sys.executable, "bench/load_day_seed.py", "--review", str(review), "--approval", str(approval)], env
    )
    subprocess.run(["redis-cli", "-u", broker, "flushdb"], check=True, capture_output=True)


def start_server(env: dict[str, str], port: int, scratch: Path) -> subprocess.Popen:
    """gunicorn with 4 workers, once every worker has built the app (``load_day_gunicorn.py``)."""
    ready = scratch / "ready"
    ready.mkdir()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *("-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning"),
            *("-c", "python:bench.load_day_gunicorn", "wsgi:app"),
        ],
        cwd=ROOT,
        env={**env, "LOAD_DAY_READY": str(ready)},
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("gunicorn stopped at start-up")
        if len(list(ready.iterdir())) >= WORKERS:
            return server
        time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn's workers were not ready within two minutes")


def cpu_seconds(server_pid: int, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds used so far, by process, of gunicorn (master and workers), this process (Locust) and the
    PostgreSQL backends serving ``database`` (psutil comes with Locust)."""
    import psutil

    def used(process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    server = psutil.Process(server_pid)
    found: dict[str, dict[int, float]] = {"gunicorn": {}, "locust": {}, "postgres": {}}
    for process in [server, *server.children(recursive=True)]:
        found["gunicorn"][process.pid] = used(process)
    found["locust"][os.getpid()] = used(psutil.Process())
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and f" {database} " in " ".join(process.info["cmdline"] or ()):
            try:
                found["postgres"][process.pid] = used(process)
            except psutil.Error:
                pass
    return found


@dataclass
class Timings:
    """Every request's time, by page, and when spawning ended (the last person logged in)."""

    requests: list[tuple[float, str, float]] = field(default_factory=list)  # (moment, page, ms)
    spawned_at: float | None = None

    def window(self, since: float) -> dict[str, list[float]]:
        pages: dict[str, list[float]] = {}
        for moment, page, ms in self.requests:
            if moment >= since:
                pages.setdefault(page, []).append(ms)
        return pages


def run_load(host: str, users: int, spawn_rate: float, seconds: float, wait: tuple[float, float]):
    """Locust, headless, in this process (imported here: it patches the standard library with gevent)."""
    import gevent
    from locust.env import Environment

    from bench import load_day_users as staff

    staff.WAIT = wait
    classes = [getattr(staff, name) for name in MIX]
    for cls in classes:
        cls.fixed_count = round(users * MIX[cls.__name__] / sum(MIX.values()))
    environment = Environment(user_classes=classes, host=host)
    timings = Timings()

    @environment.events.request.add_listener
    def timed(name, response_time, **_) -> None:
        timings.requests.append((time.monotonic(), name, response_time))

    @environment.events.spawning_complete.add_listener
    def spawned(**_) -> None:
        timings.spawned_at = time.monotonic()

    runner = environment.create_local_runner()
    runner.start(sum(cls.fixed_count for cls in classes), spawn_rate=spawn_rate)
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return environment.stats, staff, timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report_cpu(before: dict, after: dict, seconds: float, load: tuple[float, float, float]) -> None:
    parts = {
        who: sum(after[who][pid] - before[who].get(pid, 0.0) for pid in after[who])
        for who in ("gunicorn", "postgres", "locust")
    }
    print(
        f"CPU over the run ({os.cpu_count()} cores, {os.cpu_count() * seconds:.0f} core-seconds): "
        + ", ".join(f"{who} {used:.0f} s" for who, used in parts.items())
        + f"; load average at the end {load[0]:.1f} (1 min), {load[1]:.1f} (5 min)"
    )


def report(stats, staff, timings: Timings, seconds: float, settle: float) -> None:
    """Per page: the whole run (log-ins included) and the steady part, from ``settle`` seconds after the last
    person logged in; p95 against the goal on the steady part."""
    whole = timings.window(0.0)
    steady_from = (timings.spawned_at or 0.0) + settle
    steady = timings.window(steady_from)
    steady_seconds = max(time.monotonic() - steady_from, 1e-9) if timings.spawned_at else 0.0
    failures = {entry.name: entry.num_failures for entry in stats.entries.values()}
    print(
        f"\n{'':<30}{'whole run':^34}{'steady (from ' + format(settle, '.0f') + ' s after the last log-in)':^44}"
    )
    print(
        f"{'page':<30}{'requests':>9}{'failed':>7}{'409':>6}{'p50 ms':>8}{'p95 ms':>8}"
        f"{'requests':>11}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}  p95 < {GOAL_MS} ms"
    )
    everything: list[float] = []
    steady_all: list[float] = []
    for page in sorted(whole):
        times, kept = whole[page], steady.get(page, [])
        everything += times
        steady_all += kept
        verdict = "-" if not kept else "yes" if percentile(kept, 0.95) < GOAL_MS else "NO"
        print(
            f"{page:<30}{len(times):>9}{failures.get(page, 0):>7}{staff.RACES[page]:>6}"
            f"{percentile(times, 0.5):>8.0f}{percentile(times, 0.95):>8.0f}"
            f"{len(kept):>11}{percentile(kept, 0.5):>8.0f}{percentile(kept, 0.95):>8.0f}"
            f"{max(kept, default=float('nan')):>8.0f}  {verdict}"
        )
    print(
        f"{'all':<30}{len(everything):>9}{stats.total.num_failures:>7}{sum(staff.RACES.values()):>6}"
        f"{percentile(everything, 0.5):>8.0f}{percentile(everything, 0.95):>8.0f}"
        f"{len(steady_all):>11}{percentile(steady_all, 0.5):>8.0f}{percentile(steady_all, 0.95):>8.0f}"
        f"{max(steady_all, default=float('nan')):>8.0f}"
    )
    print(
        f"\nthroughput: {len(everything) / seconds:.1f} requests/s over the whole run ({seconds:.0f} s), "
        f"{len(steady_all) / steady_seconds if steady_seconds else float('nan'):.1f} steady ({steady_seconds:.0f} s)"
    )
    print("work done: " + (", ".join(f"{n} {what}" for what, n in sorted(staff.DONE.items())) or "none"))
    print(
        "409 (lost races, not errors): "
        + (", ".join(f"{page} {n}" for page, n in sorted(staff.RACES.items())) or "none")
    )
    errors = sorted(stats.errors.values(), key=lambda error: -error.occurrences)
    print("errors: " + ("none" if not errors else ""))
    for error in errors:
        print(f"  {error.occurrences:>6}  {error.method} {error.name}: {error.error}")
    slow = [page for page, kept in sorted(steady.items()) if percentile(kept, 0.95) >= GOAL_MS]
    print(
        f"p95 under {GOAL_MS} ms on every page, steady: " + ("yes" if not slow else f"no ({', '.join(slow)})")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=(2.0, 8.0),
        metavar=("MIN", "MAX"),
        help="seconds a person reads a page before the next click",
    )
    parser.add_argument("--review", type=int, default=300, help="cases added at an officer's review")
    parser.add_argument("--approval", type=int, default=200, help="cases added at an approver's sign-off")
    parser.add_argument(
        "--settle", type=float, default=30, help="seconds after the last log-in before the steady figures"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the database as the last run left it")
    parser.add_argument("--database-url", default=os.environ.get("CREDIT_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if make_url(args.database_url).database == "test":
        sys.exit("refused: the test database is CI's; give the bench one of its own (createdb bench_load)")

    scratch = Path(tempfile.mkdtemp(prefix="load_day-"))
    env = {**os.environ, **settings(args.database_url, args.broker, scratch)}
    if not args.reuse:
        print(f"preparing {make_url(args.database_url).database}", flush=True)
        prepare(args.database_url, args.broker, env, args.review, args.approval)
    server = start_server(env, args.port, scratch)
    try:
        print(f"gunicorn: {WORKERS} workers on 127.0.0.1:{args.port}, CREDIT_ENV=production", flush=True)
        seconds = args.minutes * 60
        database = make_url(args.database_url).database
        before = cpu_seconds(server.pid, database)
        started = time.perf_counter()
        stats, staff, timings = run_load(
            f"http://127.0.0.1:{args.port}", args.users, args.spawn_rate, seconds, tuple(args.wait)
        )
        elapsed = time.perf_counter() - started
        report(stats, staff, timings, elapsed, args.settle)
        report_cpu(before, cpu_seconds(server.pid, database), elapsed, os.getloadavg())
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
