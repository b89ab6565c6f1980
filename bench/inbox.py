"""Inboxes and the case list at 10k / 100k (/ 1M) process instances.

Run from the repository root::

    .venv/bin/python bench/inbox.py                                   # SQLite file, 10k and 100k
    .venv/bin/python bench/inbox.py --max 1000000                     # ... and 1M
    .venv/bin/python bench/inbox.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

(``--database-url`` DROPS and re-creates the schemas ``inbox_10000``, ``inbox_100000`` and
``inbox_1000000`` of that database: never point it at a database a test run is using.)

Pages measured, each as the service a view calls plus what the page template reads from every
row (``task.instance.reference`` / ``.summary``, as ``tasks/_table.html`` does):

* ``my_tasks``    ``tasks.my_tasks`` for an officer with tasks assigned to them;
* ``group_queue`` ``tasks.my_tasks`` for a second officer of the same group, nothing assigned;
* ``sign_off``    ``tasks.sign_off_inbox`` for a level-2 approver;
* ``cases_p1``    ``cases.list_cases`` first page, no filter;
* ``cases_search`` ``cases.list_cases(search=<one customer's name>)``;
* ``cases_common`` ``cases.list_cases(search="有限公司")``: a term in every case's name (the first page of
  many hits, where ``cases_search`` is a page of a few);
* ``inbox_search`` ``tasks.sign_off_inbox`` for the level-2 approver, searching one customer's name, and
  ``inbox_common`` searching "有限公司";
* ``customers_search`` ``customers.list_customers(search=<one customer's name>)`` (a page and its count);
After loading, each size's search index is tidied as beat's nightly job does (``text_search.tidy_index``:
SQLite's FTS5 segments merged; nothing on PostgreSQL, where autovacuum keeps the GIN indexes).

* with ``--identifiers``, also ``cases_reference`` (a whole case reference) and ``cases_code`` (a whole
  credit code) on the case list. Their serial numbers share their digits with many others (001230 is in
  1001230), which a trigram index cannot tell apart, so these cost more the more cases there are.

Data: rows are bulk-inserted with SQLAlchemy Core (10k rows a transaction), never through the
engine: ``process_instance`` with a realistic summary and a small fake state, and the
``human_task`` rows such a case leaves (4 completed tasks for a finished case, the completed
ones and one ready task for an open one). Open work is bounded by staff, history grows: at
every size there are ``--open`` (default 2,000) running cases - some assigned to the measured
officer, most in the officer and approver queues - and everything else is finished history. One
customer row is written for every tenth case (customers are fewer than cases).
So a page that reads its projection through an index costs the same at 10k and at 1M; a
ratio above 1.5 between sizes points at a scan, a COUNT over the table or an OFFSET.

Each size is a database of its own (a SQLite file, or a PostgreSQL schema), all built first; the
calls are then interleaved - one call of every page on every size, round after round - so that a
machine whose load changes (other work, a shared CI box) slows every size alike and the ratios stay
fair. For each page and size: median and p95 over ``--calls`` rounds (default 30) after two warm-up
rounds, SQL statements per call, and the ratio to the smallest size (goal <= 1.5). The query plan
(``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on PostgreSQL) of every statement of each page
is printed once, at the largest size. Prints figures, asserts nothing, exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import func, select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import HumanTask, ProcessInstance, User  # noqa: E402
from app.services.cases import cases, tasks, text_search  # noqa: E402
from app.services.cases.inbox_filters import InboxFilter  # noqa: E402
from app.services.customers.master import customers  # noqa: E402
from bench.inbox_seed import World, customer_name, make_staff, populate, uscc, use_names  # noqa: E402
from bench.size_runs import close, explain, fresh_app, interleaved, listen, masked, p95, trigram_in_public  # noqa: E402

GOAL = 1.5


def pages(staff: dict, search_name: str, target: int = 0, identifiers: bool = False):
    named = staff["named"]

    def touch(rows) -> None:
        for task in rows:  # what tasks/_table.html reads from each row
            _ = (task.instance.reference, (task.instance.summary or {}).get("customer_name"))

    def my_tasks():
        touch(tasks.my_tasks(db.session.get(User, named["officer"])).rows)

    def group_queue():
        touch(tasks.my_tasks(db.session.get(User, named["officer2"])).rows)

    def sign_off():
        touch(tasks.sign_off_inbox(db.session.get(User, named["approver2"])).rows)

    def cases_p1():
        rows = cases.list_cases(db.session.get(User, named["compliance"])).rows
        _ = [r.summary for r in rows]

    def cases_search():
        rows = cases.list_cases(db.session.get(User, named["compliance"]), search=search_name).rows
        _ = [r.summary for r in rows]

    def cases_common():
        rows = cases.list_cases(db.session.get(User, named["compliance"]), search="有限公司").rows
        _ = [r.summary for r in rows]

    def inbox_search():
        touch(
            tasks.sign_off_inbox(
                db.session.get(User, named["approver2"]), filters=InboxFilter(search=search_name)
            ).rows
        )

    def inbox_common():
        touch(
            tasks.sign_off_inbox(
                db.session.get(User, named["approver2"]), filters=InboxFilter(search="有限公司")
            ).rows
        )

    def customers_search():
        rows, _total = customers.list_customers(db.session.get(User, named["compliance"]), search_name)
        _ = [r.name for r in rows]

    def search_for(term: str):
        def page():
            rows = cases.list_cases(db.session.get(User, named["compliance"]), search=term).rows
            _ = [r.summary for r in rows]

        return page

    found = {
        "my_tasks": my_tasks,
        "group_queue": group_queue,
        "sign_off": sign_off,
        "cases_p1": cases_p1,
        "cases_search": cases_search,
        "cases_common": cases_common,
        "inbox_search": inbox_search,
        "inbox_common": inbox_common,
        "customers_search": customers_search,
    }
    if identifiers:
        reference = db.session.scalar(select(ProcessInstance.reference).where(ProcessInstance.id == target))
        found.update(cases_reference=search_for(reference), cases_code=search_for(uscc(target)))
    return found


def summary_of(times: list[float], statements: list) -> dict:
    return {
        "median": statistics.median(times),
        "p95": p95(times),
        "sql": len(statements),
        "plan_sql": statements,
    }


class Size:
    """One size's own database, app, staff and pages."""

    def __init__(self, size: int, url: str, open_cases: int, schema: str | None, identifiers: bool) -> None:
        self.size, self.schema = size, schema
        self.app = fresh_app(url, schema)
        with self.app.app_context():
            self.staff = make_staff()
            self.took = populate(World(), size, min(open_cases, size), self.staff)
            t0 = time.perf_counter()
            text_search.tidy_index()  # what beat's nightly job has done to a system that ran a while
            self.tidied = time.perf_counter() - t0
            self.counts = {
                "instances": db.session.scalar(select(func.count()).select_from(ProcessInstance)),
                "human_task": db.session.scalar(select(func.count()).select_from(HumanTask)),
                "ready": db.session.scalar(
                    select(func.count()).select_from(HumanTask).where(HumanTask.state == "ready")
                ),
            }
            self.stmts = listen()
            target = (
                1230 if size > 1230 else size // 2 // 10 * 10
            )  # a customer row exists for every tenth case
            self.pages = pages(self.staff, customer_name(target), target, identifiers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench "
        "(its inbox_* schemas are DROPPED); default: fresh SQLite files",
    )
    parser.add_argument("--max", type=int, default=100_000, help="largest size (100000; 1000000 adds 1M)")
    parser.add_argument("--calls", type=int, default=30, help="measured rounds (30)")
    parser.add_argument("--open", type=int, default=2_000, help="running cases at every size (2000)")
    parser.add_argument("--no-explain", action="store_true", help="skip the query plans")
    parser.add_argument(
        "--identifiers",
        action="store_true",
        help="also search a whole case reference and a whole credit code",
    )
    parser.add_argument(
        "--names",
        choices=("realistic", "serial"),
        default="realistic",
        help="customer names as companies are named (default), or a short list + a serial number",
    )
    args = parser.parse_args(argv)
    use_names(args.names)
    sizes = [s for s in (10_000, 100_000, 1_000_000) if s <= args.max] or [args.max]

    tmp = None
    if not args.database_url:
        tmp = tempfile.TemporaryDirectory(prefix="bench-inbox-")
    else:
        trigram_in_public(args.database_url)
    logging.getLogger().setLevel(logging.WARNING)
    shown_url = masked(args.database_url or f"sqlite:///{tmp.name}/<size>.sqlite")
    print(
        f"inbox bench on {shown_url}, sizes {', '.join(f'{s:,}' for s in sizes)}, {args.open:,} open cases, "
        f"{args.calls} interleaved rounds, {args.names} names, {os.cpu_count()} cpu(s), "
        f"load average {os.getloadavg()[0]:.2f}"
    )

    built: list[Size] = []
    for size in sizes:
        url = args.database_url or f"sqlite:///{tmp.name}/inbox-{size}.sqlite"
        built.append(
            Size(size, url, args.open, f"inbox_{size}" if args.database_url else None, args.identifiers)
        )
        b = built[-1]
        print(
            f"== {size:,} instances ({b.counts['instances']:,} instances, {b.counts['human_task']:,} human_task, "
            f"{b.counts['ready']:,} ready) populated in {b.took:.1f}s, search index tidied in {b.tidied:.1f}s"
        )

    names = list(built[0].pages)
    times, statements = interleaved(built, args.calls)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")

    results = {n: {s: summary_of(times[n][s], statements[n][s]) for s in sizes} for n in names}
    for size in sizes:
        print(f"\n== {size:,} instances")
        print(f"{'page':<17}{'median ms':>10}{'p95 ms':>9}{'SQL/call':>9}")
        for name in names:
            r = results[name][size]
            print(f"{name:<17}{r['median'] * 1e3:>10.2f}{r['p95'] * 1e3:>9.2f}{r['sql']:>9}")

    if not args.no_explain:
        print(f"\n== query plans at {sizes[-1]:,} instances")
        with built[-1].app.app_context():
            for name in names:
                print(f"  {name}:")
                print("\n".join(explain(results[name][sizes[-1]]["plan_sql"], width=400)))

    print(f"\n== ratio of median time to {sizes[0]:,} (goal <= {GOAL})")
    print(f"{'page':<17}" + "".join(f"{s:>12,}" for s in sizes[1:]))
    worst = 0.0
    for name in names:
        base = results[name][sizes[0]]["median"]
        ratios = [results[name][s]["median"] / base for s in sizes[1:]]
        worst = max([worst, *ratios])
        print(f"{name:<17}" + "".join(f"{r:>11.2f}{'!' if r > GOAL else ' '}" for r in ratios))
    if len(sizes) > 1:
        print(f"worst ratio {worst:.2f} (goal <= {GOAL}); '!' marks a page above the goal")
    close(built, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
