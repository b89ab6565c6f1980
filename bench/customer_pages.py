"""The customer's page and "my customers" (我的客户) at 10k and 1M customers.

Run from the repository root::

    createdb bench                                                  # once: never the ``test`` database
    .venv/bin/python bench/customer_pages.py                       # PostgreSQL ``bench``, 10k and 1M
    .venv/bin/python bench/customer_pages.py --sizes 10000 100000
    .venv/bin/python bench/customer_pages.py --sqlite --sizes 10000 # SQLite files (small sizes)

The database is ``--database-url``, else ``CREDIT_BENCH_DATABASE_URL``, else
``postgresql+psycopg://postgres@127.0.0.1:5432/bench``. Each size is a schema of its own there,
``customers_<size>``, DROPPED and re-created (a database called ``test`` is refused: test runs use it).

The book: 200 officers in 10 branches (two teams each), so the measured officer holds 1/200 of the customers
(50 at 10k, 5,000 at 1M) and the measured branch approver manages 1/10; one more officer holds 50 customers at
every size (``mine_50``: the same page over a bank 100 times larger, the officer's book unchanged). Seven customers in ten have a decided
facility (one in ten of those exited, the others live; terms of 12, 24 or 36 months decided over three years),
3% an open early warning, one in five two contacts, one in ten three contact-log entries, one in a hundred a
past transfer (客户移交). Grades, classes, industries and review dates are spread over their values. Rows are
generated in Python, 50k at a time, and loaded with ``COPY`` on PostgreSQL (executemany on SQLite), then the
tables are analysed.

Pages, each the service call a view makes (plus what its template reads from every row):

* ``customer_page``  ``customer_page.page`` for one of the officer's customers (its facilities and their cases
  read as the template does);
* ``mine_50``, ``mine_50_grade``: ``my_customers.page`` for the officer with 50 customers, without and with a
  filter (grade BBB);
* ``mine``           ``my_customers.page`` for the officer: the first page by name, with the totals;
* ``mine_grade``, ``mine_warning``, ``mine_review``, ``mine_maturity``: the same with one filter (grade BBB,
  an open warning, review due within 30 days, a facility maturing within 90 days);
* ``mine_by_limit``  the officer's book sorted by live limit (every row's limit computed);
* ``branch``         the branch approver's first page with totals (1/10 of the book: this one grows with it).

The calls are interleaved (one call of every page on every size, round after round) so that a machine whose
load changes slows every size alike; medians and p95 over ``--calls`` rounds after two warm-up rounds, the
statements per call, and the ratio of each size's median to the smallest size's (goal <= 1.5). Prints figures,
asserts nothing, exits 0.
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
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import func, select  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import ContactLogEntry, Customer, CustomerContact, EarlyWarning, Facility, User  # noqa: E402
from app.services.customers.page import customer_page  # noqa: E402
from app.services.customers.relationship import my_customers  # noqa: E402
from bench.customer_pages_seed import Loader, analyse, make_staff, populate  # noqa: E402
from bench.size_runs import close, explain, fresh_app, interleaved, listen, masked, p95, trigram_in_public  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
GOAL = 1.5


def pages(staff: dict) -> dict:
    officer_id, approver_id = staff["officer"], staff["approver"]
    shown = db.session.scalar(
        select(Customer.id)
        .join(Facility, Facility.customer_id == Customer.id)
        .where(Customer.officer_id == officer_id)
        .order_by(Customer.id)
        .limit(1)
    )

    def customer():
        view = customer_page.page(db.session.get(User, officer_id), shown)
        _ = [
            (f.limit_amount, f.instance.reference) for f in view.customer.facilities
        ]  # as the template reads

    def book(args: dict, user_id: int = officer_id):
        def call():
            found = my_customers.page(db.session.get(User, user_id), args)
            _ = [(r.customer.name, r.officer.display_name if r.officer else None) for r in found.rows]

        return call

    return {
        "customer_page": customer,
        "mine_50": book({}, staff["steady"]),
        "mine_50_grade": book({"grade": "BBB"}, staff["steady"]),
        "mine": book({}),
        "mine_grade": book({"grade": "BBB"}),
        "mine_warning": book({"warning": "1"}),
        "mine_review": book({"review_days": "30"}),
        "mine_maturity": book({"maturity_days": "90"}),
        "mine_by_limit": book({"sort": "limit"}),
        "branch": book({}, approver_id),
    }


class Size:
    def __init__(self, size: int, url: str, schema: str | None) -> None:
        self.size = size
        self.app = fresh_app(url, schema)
        with self.app.app_context():
            t0 = time.perf_counter()
            load = Loader()
            self.staff = make_staff(load)
            populate(size, load)
            self.loaded = time.perf_counter() - t0
            t0 = time.perf_counter()
            analyse()
            self.analysed = time.perf_counter() - t0
            self.counts = {
                m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                for m in (Customer, Facility, EarlyWarning, CustomerContact, ContactLogEntry)
            }
            self.held = db.session.scalar(
                select(func.count()).select_from(Customer).where(Customer.officer_id == self.staff["officer"])
            )
            self.stmts = listen()
            self.pages = pages(self.staff)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("CREDIT_BENCH_DATABASE_URL") or DEFAULT_URL,
        help=f"its customers_<size> schemas are DROPPED (default {DEFAULT_URL})",
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite files in a temporary folder instead")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--calls", type=int, default=20, help="measured rounds (20)")
    parser.add_argument("--explain", action="store_true", help="print the plans at the largest size")
    args = parser.parse_args(argv)
    if not args.sqlite and re.search(r"/test(\?|$)", args.database_url):
        parser.error("the test database is the test runs': give the bench one of its own (createdb bench)")
    logging.getLogger().setLevel(logging.WARNING)
    tmp = tempfile.TemporaryDirectory(prefix="bench-customers-") if args.sqlite else None
    if not args.sqlite:
        trigram_in_public(args.database_url)
    shown = "sqlite (temporary files)" if args.sqlite else masked(args.database_url)
    print(
        f"customer pages bench on {shown}, sizes {', '.join(f'{s:,}' for s in args.sizes)}, {args.calls} "
        f"interleaved rounds, {os.cpu_count()} cpu(s), load average {os.getloadavg()[0]:.2f}"
    )
    built = []
    for size in args.sizes:
        url = f"sqlite:///{tmp.name}/customers-{size}.sqlite" if tmp else args.database_url
        built.append(Size(size, url, None if tmp else f"customers_{size}"))
        b = built[-1]
        print(
            f"== {size:,} customers loaded in {b.loaded:.1f}s, analysed in {b.analysed:.1f}s: "
            + ", ".join(f"{n} {c:,}" for n, c in b.counts.items())
            + f"; the officer holds {b.held:,}"
        )
    names = list(built[0].pages)
    times, seen = interleaved(built, args.calls)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    for b in built:
        print(f"\n== {b.size:,} customers\n{'page':<15}{'median ms':>10}{'p95 ms':>9}{'SQL/call':>9}")
        for name in names:
            taken = times[name][b.size]
            print(
                f"{name:<15}{statistics.median(taken) * 1e3:>10.2f}{p95(taken) * 1e3:>9.2f}{len(seen[name][b.size]):>9}"
            )
    if args.explain:
        print(f"\n== plans at {built[-1].size:,}")
        with built[-1].app.app_context():
            for name in names:
                print(f"  {name}:")
                print("\n".join(explain(seen[name][built[-1].size], width=300)))
    if len(built) > 1:
        base = built[0].size
        print(f"\n== ratio of the median to {base:,} (goal <= {GOAL})")
        print(f"{'page':<15}" + "".join(f"{b.size:>12,}" for b in built[1:]))
        for name in names:
            first = statistics.median(times[name][base])
            ratios = [statistics.median(times[name][b.size]) / first for b in built[1:]]
            print(f"{name:<15}" + "".join(f"{r:>11.2f}{'!' if r > GOAL else ' '}" for r in ratios))
    close(built, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
