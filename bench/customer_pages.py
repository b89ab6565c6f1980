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
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import date, datetime, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import event, func, insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import (  # noqa: E402
    ContactLogEntry,
    Customer,
    CustomerContact,
    CustomerOfficerChange,
    EarlyWarning,
    Facility,
    ProcessDefinition,
    ProcessInstance,
    User,
    UserGroup,
)
from app.services.customers.facilities.facility_terms import maturity  # noqa: E402
from app.services.customers.page import customer_page  # noqa: E402
from app.services.customers.relationship import my_customers  # noqa: E402
from config import TestingConfig  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
CHUNK = 50_000
GOAL = 1.5
OFFICERS, BRANCHES = 200, 10
STEADY, STEADY_BOOK = 1000, 50  # an officer who holds 50 customers at every size
NOW = datetime(2026, 12, 1, 2, 0, 0)
TODAY = date(2026, 12, 1)
GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")
CLASSES = ("normal",) * 12 + ("special_mention", "special_mention", "substandard", "doubtful", "loss", None, None)
INDUSTRIES = ("manufacturing", "wholesale_retail", "construction", "real_estate", "technology", "services",
              "agriculture", "transport")
REGIONS = "北京上海天津重庆江苏浙江安徽福建江西山东河南湖北湖南广东四川"
TRADE = "华信达利通德恒瑞泰丰源盛鑫宏兴隆昌荣辉祥安康佳美嘉禾润金星光明远天海山川江东南新创联众博雅正"
TRADES = ("科技", "贸易", "实业", "机械", "电子", "化工", "医药", "建设", "物流", "食品")


def name_of(i: int) -> str:
    j = i * 7919 % 1_000_003
    region = REGIONS[(j % 16) * 2:(j % 16) * 2 + 2]
    return f"{region}{TRADE[j // 16 % len(TRADE)]}{TRADE[j // 997 % len(TRADE)]}{TRADES[j % 10]}{i}号有限公司"


class Loader:
    """Rows into one table: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        self.postgres = db.engine.dialect.name == "postgresql"

    def __call__(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        table = model.__table__
        if not self.postgres:
            db.session.execute(insert(table), rows)
            return
        columns = list(rows[0])
        connection = db.session.connection()
        # the rows carry their customers' live limits: the triggers that keep them (and the foreign keys, the
        # generator's own) are not run for every copied row
        connection.exec_driver_sql("SET session_replication_role = replica")
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                                for v in (row[c] for c in columns)])


def make_staff(load: Loader) -> dict:
    users, groups = [], []
    for k in range(OFFICERS):
        users.append({"id": k + 1, "username": "officer" if k == 0 else f"officer{k:03d}",
                      "display_name": f"客户经理{k:03d}", "password_hash": "x", "role": "officer",
                      "branch": f"branch{k % BRANCHES}", "team": "对公一部" if k // BRANCHES % 2 == 0 else "对公二部",
                      "active": True, "must_change_password": False, "session_epoch": 0, "created_at": NOW})
    users.append({"id": STEADY, "username": "steady", "display_name": "客户经理（固定户数）", "password_hash": "x",
                  "role": "officer", "branch": "branch0", "team": "对公三部", "active": True,
                  "must_change_password": False, "session_epoch": 0, "created_at": NOW})
    for b in range(BRANCHES):
        users.append({"id": OFFICERS + b + 1, "username": f"approver{b}", "display_name": f"分行审批人{b}",
                      "password_hash": "x", "role": "approver", "authority_level": 1, "branch": f"branch{b}",
                      "team": None, "active": True, "must_change_password": False, "session_epoch": 0,
                      "created_at": NOW})
    groups = [{"user_id": u["id"], "group_code": u["role"]} for u in users]
    load(User, users)
    load(UserGroup, groups)
    load(ProcessDefinition, [{"id": 1, "process_id": "credit_application", "name": "Credit application",
                              "version": 1, "content_hash": "bench", "bpmn_file": "credit_application.bpmn",
                              "bpmn_xml": "", "dmn_files": {}, "forms": {}, "called_files": {},
                              "deployed_at": NOW}])
    db.session.commit()
    return {"officer": 1, "approver": OFFICERS + 1, "steady": STEADY}


def populate(size: int, load: Loader) -> None:
    rng = random.Random(20261201)
    ids = {"instance": 0, "facility": 0, "warning": 0, "contact": 0, "entry": 0, "change": 0}

    def next_id(kind: str) -> int:
        ids[kind] += 1
        return ids[kind]

    for start in range(1, size + 1, CHUNK):
        rows = {m: [] for m in (Customer, ProcessInstance, Facility, EarlyWarning, CustomerContact, ContactLogEntry,
                                CustomerOfficerChange)}
        for i in range(start, min(start + CHUNK, size + 1)):
            officer = STEADY if i % (size // STEADY_BOOK) == 7 else (i - 1) % OFFICERS + 1
            created = NOW - timedelta(days=rng.randrange(1, 2000))
            rows[Customer].append({
                "id": i, "name": name_of(i), "uscc": f"B{i:017d}", "industry": INDUSTRIES[i % len(INDUSTRIES)],
                "size": ("large", "medium", "small", "micro")[i % 4], "credit_record": "clean", "listed": False,
                "segment": None, "grade": GRADES[rng.randrange(len(GRADES))] if i % 9 else None,
                "group_name": None, "officer_id": officer, "loan_class": CLASSES[rng.randrange(len(CLASSES))],
                "watchlist": False, "next_review_on": TODAY + timedelta(days=rng.randrange(-30, 365)),
                "created_at": created, "updated_at": created})
            customer = rows[Customer][-1]
            customer["live_limit"] = Decimal(0)
            if rng.random() < 0.7:
                for live in ((True, False) if rng.random() < 0.1 else (True,)):
                    instance_id = next_id("instance")
                    decided = NOW - timedelta(days=rng.randrange(1, 3 * 365))
                    rows[ProcessInstance].append({
                        "id": instance_id, "reference": f"CA-B-{instance_id:08d}", "definition_id": 1,
                        "process_id": "credit_application", "customer_id": i, "status": "completed",
                        "outcome": "approved", "summary": {"customer_name": name_of(i)}, "open_tasks": [],
                        "waiting_timers": 0, "state": "{}", "serializer_version": "bench", "version": 5,
                        "started_by_id": officer, "started_at": decided - timedelta(days=20), "updated_at": decided,
                        "completed_at": decided})
                    amount = Decimal(rng.randrange(50, 50_000) * 10_000)
                    customer["live_limit"] += amount if live else 0
                    term = rng.choice((12, 24, 36))
                    rows[Facility].append({
                        "id": next_id("facility"), "customer_id": i, "instance_id": instance_id,
                        "status": "active" if live else "exited", "limit_amount": amount,
                        "margin_pct": Decimal("1.200"), "term_months": term, "grade": None,
                        "risk_controls": None, "decided_by_id": None, "decided_at": decided,
                        "start_on": decided.date(), "matures_on": maturity(decided.date(), term)})
            if rng.random() < 0.03:
                rows[EarlyWarning].append({
                    "id": next_id("warning"), "customer_id": i, "code": "past_due_30", "name": "Past due / 逾期",
                    "severity": "high", "status": "open", "evidence": {}, "rule_id": "r1", "rules_hash": "bench",
                    "detected_at": NOW - timedelta(days=rng.randrange(1, 60))})
            people = []
            if rng.random() < 0.2:
                for role in ("legal_representative", "financial_controller"):
                    people.append(next_id("contact"))
                    rows[CustomerContact].append({
                        "id": people[-1], "customer_id": i, "name": "陈建国", "role": role, "phone": "13812345678",
                        "is_primary": role == "legal_representative", "created_at": created, "updated_at": created})
            if rng.random() < 0.1:
                for _entry in range(3):
                    on = TODAY - timedelta(days=rng.randrange(1, 400))
                    rows[ContactLogEntry].append({
                        "id": next_id("entry"), "customer_id": i, "contacted_on": on, "channel": "visit",
                        "contact_id": people[0] if people else None, "contact_name": "陈建国",
                        "summary": "走访企业，经营正常。", "logged_by_id": officer, "logged_at": NOW})
            if rng.random() < 0.01:
                rows[CustomerOfficerChange].append({
                    "id": next_id("change"), "customer_id": i, "officer_before_id": officer % OFFICERS + 1,
                    "officer_after_id": officer, "reason": "团队调整", "tasks_moved": 0,
                    "changed_by_id": OFFICERS + 1 + (officer - 1) % BRANCHES, "changed_at": created})
        for model, found in rows.items():
            load(model, found)
        db.session.commit()


def analyse() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.connection().exec_driver_sql("ANALYZE")
        db.session.commit()


class Statements:
    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []
        self.on = False

    def __call__(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on:
            self.seen.append((statement, parameters))


def pages(staff: dict) -> dict:
    officer_id, approver_id = staff["officer"], staff["approver"]
    shown = db.session.scalar(select(Customer.id).join(Facility, Facility.customer_id == Customer.id)
                              .where(Customer.officer_id == officer_id).order_by(Customer.id).limit(1))

    def customer():
        view = customer_page.page(db.session.get(User, officer_id), shown)
        _ = [(f.limit_amount, f.instance.reference) for f in view.customer.facilities]  # as the template reads

    def book(args: dict, user_id: int = officer_id):
        def call():
            found = my_customers.page(db.session.get(User, user_id), args)
            _ = [(r.customer.name, r.officer.display_name if r.officer else None) for r in found.rows]
        return call

    return {"customer_page": customer, "mine_50": book({}, staff["steady"]), "mine_50_grade": book({"grade": "BBB"}, staff["steady"]),
            "mine": book({}), "mine_grade": book({"grade": "BBB"}),
            "mine_warning": book({"warning": "1"}), "mine_review": book({"review_days": "30"}),
            "mine_maturity": book({"maturity_days": "90"}), "mine_by_limit": book({"sort": "limit"}),
            "branch": book({}, approver_id)}


def timed(fn, stmts: Statements) -> tuple[float, list]:
    db.session.remove()
    stmts.seen, stmts.on = [], True
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    stmts.on = False
    return elapsed, list(stmts.seen)


def explain(statements: list[tuple[str, object]]) -> list[str]:
    out, shapes = [], set()
    postgres = db.engine.dialect.name == "postgresql"
    connection = db.session.connection()
    for sql, params in statements:
        shape = re.sub(r"\s+", " ", sql)
        if shape in shapes:
            continue
        shapes.add(shape)
        rows = connection.exec_driver_sql(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + sql, params).all()
        out.append(f"    SQL: {re.sub(r'SELECT .*? FROM', 'SELECT … FROM', shape, count=1)[:300]}")
        out += [f"      {r[0] if postgres else r[-1]}" for r in rows]
    db.session.rollback()
    return out


class Size:
    def __init__(self, size: int, url: str, schema: str | None) -> None:
        options = {"connect_args": {"options": f"-csearch_path={schema},public"}, "pool_pre_ping": True} \
            if schema else {}
        self.size = size
        self.app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
        with self.app.app_context():
            if schema:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                    connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            db.create_all()
            t0 = time.perf_counter()
            load = Loader()
            self.staff = make_staff(load)
            populate(size, load)
            self.loaded = time.perf_counter() - t0
            t0 = time.perf_counter()
            analyse()
            self.analysed = time.perf_counter() - t0
            self.counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
                           for m in (Customer, Facility, EarlyWarning, CustomerContact, ContactLogEntry)}
            self.held = db.session.scalar(select(func.count()).select_from(Customer)
                                          .where(Customer.officer_id == self.staff["officer"]))
            self.stmts = Statements()
            event.listen(db.engine, "before_cursor_execute", self.stmts)
            self.pages = pages(self.staff)


def _trigram(url: str) -> None:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), db.engine.begin() as connection:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        except Exception as exc:  # noqa: BLE001  (search then scans; nothing measured here needs it)
            print(f"pg_trgm not created: {str(exc).splitlines()[0]}")
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("CREDIT_BENCH_DATABASE_URL") or DEFAULT_URL,
                        help=f"its customers_<size> schemas are DROPPED (default {DEFAULT_URL})")
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
        _trigram(args.database_url)
    shown = "sqlite (temporary files)" if args.sqlite else re.sub(r"//([^:@/]+):[^@]+@", r"//\1:***@",
                                                                   args.database_url)
    print(f"customer pages bench on {shown}, sizes {', '.join(f'{s:,}' for s in args.sizes)}, {args.calls} "
          f"interleaved rounds, {os.cpu_count()} cpu(s), load average {os.getloadavg()[0]:.2f}")
    built = []
    for size in args.sizes:
        url = f"sqlite:///{tmp.name}/customers-{size}.sqlite" if tmp else args.database_url
        built.append(Size(size, url, None if tmp else f"customers_{size}"))
        b = built[-1]
        print(f"== {size:,} customers loaded in {b.loaded:.1f}s, analysed in {b.analysed:.1f}s: "
              + ", ".join(f"{n} {c:,}" for n, c in b.counts.items()) + f"; the officer holds {b.held:,}")
    names = list(built[0].pages)
    times = {n: {b.size: [] for b in built} for n in names}
    seen: dict[str, dict[int, list]] = {n: {} for n in names}
    for round_ in range(args.calls + 2):
        for b in built:
            with b.app.app_context():
                for name in names:
                    elapsed, statements = timed(b.pages[name], b.stmts)
                    if round_ >= 2:
                        times[name][b.size].append(elapsed)
                        seen[name][b.size] = statements
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    for b in built:
        print(f"\n== {b.size:,} customers\n{'page':<15}{'median ms':>10}{'p95 ms':>9}{'SQL/call':>9}")
        for name in names:
            ordered = sorted(times[name][b.size])
            p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
            print(f"{name:<15}{statistics.median(ordered) * 1e3:>10.2f}{p95 * 1e3:>9.2f}{len(seen[name][b.size]):>9}")
    if args.explain:
        print(f"\n== plans at {built[-1].size:,}")
        with built[-1].app.app_context():
            for name in names:
                print(f"  {name}:")
                print("\n".join(explain(seen[name][built[-1].size])))
    if len(built) > 1:
        base = built[0].size
        print(f"\n== ratio of the median to {base:,} (goal <= {GOAL})")
        print(f"{'page':<15}" + "".join(f"{b.size:>12,}" for b in built[1:]))
        for name in names:
            first = statistics.median(times[name][base])
            ratios = [statistics.median(times[name][b.size]) / first for b in built[1:]]
            print(f"{name:<15}" + "".join(f"{r:>11.2f}{'!' if r > GOAL else ' '}" for r in ratios))
    for b in built:
        with b.app.app_context():
            db.session.remove()
            db.engine.dispose()
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
