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
import random  # noqa: E402
import re  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import Customer, HumanTask, ProcessInstance, User, UserGroup  # noqa: E402
from app.risk.uscc import make_uscc, org_code_check_character  # noqa: E402
from app.services.admin import users  # noqa: E402
from app.services.admin.demo import COMPANIES, INDUSTRIES, SIZES  # noqa: E402
from app.services.approval import qualifications  # noqa: E402
from app.services.cases import cases, tasks, text_search  # noqa: E402
from app.services.cases.inbox_filters import InboxFilter  # noqa: E402
from app.services.customers.master import customers  # noqa: E402
from app.services.design.deployment import deployment  # noqa: E402
from config import TestingConfig  # noqa: E402

BATCH = 10_000
GOAL = 1.5
PASSWORD = "bench-pass-2026"
TASKS = [  # (spec, name, lane, form)
    ("application_intake", "Capture application / 录入授信申请", "officer", "application_intake.json"),
    ("financial_statements", "Enter financial statements / 录入财务报表", "officer", "financial_statements.json"),
    ("review_proposal", "Review proposal / 复核授信方案", "officer", "review_proposal.json"),
    ("approval_signoff", "Sign off / 审批", "approver", "approval_signoff.json"),
]
GRADES = ["AAA", "AA", "A", "BBB", "BB", "B", "CCC"]
SEGMENTS = ["large_corporate", "mid_corporate", "sme", "micro"]
FAKE_STATE = '{"serializer_version":"bench","tasks":{},"root":"00000000-0000-0000-0000-000000000000"}'
NOW = datetime(2026, 11, 30, 9, 0, 0)
# Lets sign_off_inbox's "cases I investigated" subquery seek instead of scanning human_task.


class World:
    """Users and counters shared by the populating batches."""

    def __init__(self, seed: int = 20261130) -> None:
        self.rng = random.Random(seed)
        self.next_instance = 1
        self.next_task = 1
        self.instances = 0


def uscc(i: int) -> str:
    """A valid unified social credit code for customer ``i`` (up to 9,999,999; demo_uscc stops at 999,999)."""
    body = f"M{i:07d}"
    return make_uscc(f"91310000{body}{org_code_check_character(body)}")


# Names built as Chinese company names are (企业名称: region + trade name + industry + form), one per customer:
# "one customer's name" then selects one customer's cases at every size. The former names (a company of a
# short list + the serial number, ``--names serial``) shared most of their characters with thousands of
# others, and the searched one also matched more cases the more there were (…1230号, …11230号 …).
REGIONS = ("北京", "上海", "天津", "重庆", "河北", "山西", "辽宁", "吉林", "江苏", "浙江", "安徽", "福建", "江西", "山东",
           "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "广西", "宁夏", "新疆",
           "深圳", "苏州", "杭州", "南京", "武汉", "成都")
TRADE = "华信达利通德恒瑞泰丰源盛鑫宏兴隆昌荣辉祥安康佳美嘉禾润金星光明远天海山川江东南新创联众博雅正同仁诚益邦环宇辰阳晨锦"
TRADES = ("科技", "贸易", "实业", "机械", "电子", "化工", "医药", "建设", "物流", "食品", "纺织", "能源", "材料", "汽车",
          "地产", "投资", "农业", "传媒", "环保", "电气")
_NAMES = len(REGIONS) * len(TRADE) ** 2 * len(TRADES)
NAMES = "realistic"


def customer_name(i: int) -> str:
    if NAMES == "serial":
        return f"{COMPANIES[i % len(COMPANIES)]}{i}号有限公司"
    j = (i * 7919 + 12345) % _NAMES  # a permutation (7919 is prime to the count): distinct names up to it
    j, trade = divmod(j, len(TRADES))
    j, second = divmod(j, len(TRADE))
    region, first = divmod(j, len(TRADE))
    return f"{REGIONS[region]}{TRADE[first]}{TRADE[second]}{TRADES[trade]}有限公司"


def summary(i: int, rng: random.Random, stage: int, outcome: str | None) -> dict:
    size = list(SIZES)[i % 4]
    amount = round(SIZES[size] * rng.uniform(0.02, 0.08), -4)
    data = {"customer_name": customer_name(i), "uscc": uscc(i), "industry": INDUSTRIES[i % len(INDUSTRIES)],
            "size": size, "credit_record": "clean", "listed": False, "requested_amount": amount,
            "requested_term_months": 24}
    if stage >= 1:
        data.update({"segment": SEGMENTS[i % 4], "z_model": "z_prime"})
    if stage >= 2:
        data.update({"pd": round(rng.uniform(0.002, 0.08), 4), "score_points": rng.randint(480, 720),
                     "z_score": round(rng.uniform(0.8, 4.5), 2), "grade": GRADES[i % len(GRADES)],
                     "limit_cap": amount, "pricing_margin_pct": 1.2, "max_term_months": 36,
                     "proposed_limit": amount, "proposed_term_months": 12, "proposed_margin_pct": 1.2,
                     "risk_controls": "按季报送财务报表"})
    if stage >= 3:
        data.update({"officer_opinion": "经营稳健，建议授信。", "approval_level": 1 + i % 3,
                     "approval_level_name": ["支行", "分行", "总行"][i % 3]})
    if outcome:
        data.update({"decision": "approve" if outcome == "approved" else "reject", "comment": "同意。",
                     "outcome": outcome})
    return data


def populate(world: World, count: int, open_cases: int, staff: dict) -> float:
    """Insert ``count`` more instances (the first ``open_cases`` ever inserted are running)."""
    t0 = time.perf_counter()
    rng = world.rng
    officers, approvers = staff["officers"], staff["approvers"]
    definition_id = staff["definition_id"]
    done = 0
    while done < count:
        n = min(BATCH, count - done)
        instances, human = [], []
        for _ in range(n):
            iid = world.next_instance
            world.next_instance += 1
            running = world.instances < open_cases
            world.instances += 1
            starter = officers[iid % len(officers)]
            if running:
                started = NOW - timedelta(minutes=rng.randint(10, 60 * 24 * 20))
                stage = rng.choices([0, 1, 2, 3], weights=[2, 3, 3, 4])[0]
                outcome = None
            else:
                started = NOW - timedelta(days=rng.randint(21, 3 * 365), minutes=rng.randint(0, 1440))
                stage = 4
                outcome = "approved" if rng.random() < 0.8 else "rejected"
            step_at = started
            for k in range(stage + (1 if running else 0)):
                spec, name, lane, form = TASKS[k]
                ready = running and k == stage
                created = step_at
                step_at = step_at + timedelta(hours=rng.randint(1, 48))
                if lane == "approver":
                    completer = approvers[iid % len(approvers)]
                    assignee = completer if not ready else None
                else:
                    completer = starter
                    # the open officer task is claimed by its starter 1 time in 3, else in the queue
                    assignee = starter if (not ready or iid % 3 == 0) else None
                human.append({
                    "id": world.next_task, "instance_id": iid, "task_uuid": f"{iid:08x}-0000-4000-8000-{k:012x}",
                    "task_spec": spec, "name": name, "lane": lane, "form": form,
                    "state": "ready" if ready else "completed",
                    "required_level": (1 + iid % 3) if lane == "approver" else None,
                    "assignee_id": assignee, "claimed_at": created if assignee else None, "due_at": None,
                    "created_at": created, "completed_at": None if ready else step_at,
                    "completed_by_id": None if ready else completer,
                    "submitted": None if ready else {"ok": True},
                })
                world.next_task += 1
            current = TASKS[stage][1] if running else None
            instances.append({
                "id": iid, "reference": f"CA-{started:%Y}-{iid:07d}", "definition_id": definition_id,
                "process_id": "credit_application", "customer_id": None,
                "status": "running" if running else "completed", "outcome": outcome, "current_step": current,
                "summary": summary(iid, rng, stage if running else 3, outcome), "state": FAKE_STATE,
                "serializer_version": "bench", "version": stage + 2, "started_by_id": starter,
                "started_at": started, "updated_at": step_at, "completed_at": None if running else step_at,
            })
        db.session.execute(insert(ProcessInstance.__table__), instances)
        db.session.execute(insert(HumanTask.__table__), human)
        db.session.execute(insert(Customer.__table__), [
            {"name": customer_name(row["id"]), "uscc": row["summary"]["uscc"], "industry": row["summary"]["industry"],
             "size": row["summary"]["size"], "credit_record": "clean", "listed": False, "watchlist": False,
             "created_at": row["started_at"], "updated_at": row["started_at"]} for row in instances if row["id"] % 10 == 0])
        db.session.commit()
        done += n
    if db.engine.dialect.name == "postgresql":
        # what autovacuum leaves a table in: statistics, and the GIN indexes' pending lists merged
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return time.perf_counter() - t0


def make_staff(extra_officers: int = 18) -> dict:
    """The measured users through the service (groups, audit), the rest of the staff by bulk insert."""
    named = {}
    for username, role, level in [("officer", "officer", None), ("officer2", "officer", None),
                                  ("approver1", "approver", 1), ("approver2", "approver", 2),
                                  ("approver3", "approver", 3), ("compliance", "compliance", None)]:
        named[username] = users.create_user(username, role, PASSWORD, authority_level=level)[0].id
        if role == "approver":  # without a valid certificate the sign-off inbox is empty (and costs nothing)
            qualifications.record(None, username, f"CQ-BENCH-{username}", "2099-12-31")
    outcomes = deployment.deploy_files()
    definition_id = deployment.latest_definition(outcomes[0].process_id).id
    rows = [{"username": f"officer_x{i:02d}", "display_name": f"客户经理{i:02d}", "password_hash": "x",
             "role": "officer", "authority_level": None, "branch": "head_office", "active": True,
             "created_at": NOW} for i in range(extra_officers)]
    db.session.execute(insert(User.__table__), rows)
    db.session.commit()
    extra = list(db.session.scalars(select(User.id).where(User.username.like("officer_x%"))))
    db.session.execute(insert(UserGroup.__table__), [{"user_id": uid, "group_code": "officer"} for uid in extra])
    db.session.commit()
    return {"named": named, "definition_id": definition_id,
            "officers": [named["officer"], *extra],  # officer2 starts nothing and has nothing assigned
            "approvers": [named["approver1"], named["approver2"], named["approver3"]]}


class Statements:
    """Collects the SQL a call issues (for counts and for the query plans)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []
        self.on = False

    def __call__(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on:
            self.seen.append((statement, parameters))


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
        touch(tasks.sign_off_inbox(db.session.get(User, named["approver2"]),
                                   filters=InboxFilter(search=search_name)).rows)

    def inbox_common():
        touch(tasks.sign_off_inbox(db.session.get(User, named["approver2"]),
                                   filters=InboxFilter(search="有限公司")).rows)

    def customers_search():
        rows, _total = customers.list_customers(db.session.get(User, named["compliance"]), search_name)
        _ = [r.name for r in rows]

    def search_for(term: str):
        def page():
            rows = cases.list_cases(db.session.get(User, named["compliance"]), search=term).rows
            _ = [r.summary for r in rows]
        return page

    found = {"my_tasks": my_tasks, "group_queue": group_queue, "sign_off": sign_off,
             "cases_p1": cases_p1, "cases_search": cases_search, "cases_common": cases_common,
             "inbox_search": inbox_search, "inbox_common": inbox_common, "customers_search": customers_search}
    if identifiers:
        reference = db.session.scalar(select(ProcessInstance.reference).where(ProcessInstance.id == target))
        found.update(cases_reference=search_for(reference), cases_code=search_for(uscc(target)))
    return found


def timed(fn, stmts: Statements) -> tuple[float, list]:
    """One call as a new request would make it (empty identity map): seconds and the statements it issued."""
    db.session.remove()
    stmts.seen = []
    stmts.on = True
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    stmts.on = False
    return elapsed, list(stmts.seen)


def summary_of(times: list[float], statements: list) -> dict:
    times = sorted(times)
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {"median": statistics.median(times), "p95": p95, "sql": len(statements), "plan_sql": statements}


def explain(statements: list[tuple[str, object]]) -> list[str]:
    """The plan of each distinct statement shape of one call (the N+1 lazy loads shown once)."""
    out, shapes = [], set()
    dialect = db.engine.dialect.name
    conn = db.session.connection()
    for sql, params in statements:
        shape = re.sub(r"\s+", " ", sql)
        if shape in shapes:
            continue
        shapes.add(shape)
        prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
        rows = conn.exec_driver_sql(prefix + sql, params).all()
        short = re.sub(r"SELECT .*? FROM", "SELECT … FROM", shape, count=1)
        out.append(f"    SQL: {short[:400]}")
        if dialect == "sqlite":
            out += [f"      {r[-1]}" for r in rows]
        else:
            out += [f"      {r[0]}" for r in rows]
    db.session.rollback()
    return out


class Size:
    """One size's own database, app, staff and pages."""

    def __init__(self, size: int, url: str, open_cases: int, schema: str | None, identifiers: bool) -> None:
        options = {"connect_args": {"options": f"-csearch_path={schema},public"}, "pool_pre_ping": True} \
            if schema else {}
        self.size, self.schema = size, schema
        self.app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
        with self.app.app_context():
            if schema:
                with db.engine.begin() as connection:
                    connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                    connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            db.create_all()
            self.staff = make_staff()
            self.took = populate(World(), size, min(open_cases, size), self.staff)
            t0 = time.perf_counter()
            text_search.tidy_index()  # what beat's nightly job has done to a system that ran a while
            self.tidied = time.perf_counter() - t0
            self.counts = {
                "instances": db.session.scalar(select(func.count()).select_from(ProcessInstance)),
                "human_task": db.session.scalar(select(func.count()).select_from(HumanTask)),
                "ready": db.session.scalar(select(func.count()).select_from(HumanTask).where(HumanTask.state == "ready")),
            }
            self.stmts = Statements()
            event.listen(db.engine, "before_cursor_execute", self.stmts)
            target = 1230 if size > 1230 else size // 2 // 10 * 10  # a customer row exists for every tenth case
            self.pages = pages(self.staff, customer_name(target), target, identifiers)


def _trigram_in_public(url: str) -> None:
    """pg_trgm once, in public, so that every size's schema sees its operator classes (the app falls back
    to scanning if it cannot be created)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), db.engine.begin() as connection:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        except Exception as exc:  # noqa: BLE001  (the figures then show search without the index)
            print(f"pg_trgm not created: {str(exc).splitlines()[0]}")
        db.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/bench "
                                               "(its inbox_* schemas are DROPPED); default: fresh SQLite files")
    parser.add_argument("--max", type=int, default=100_000, help="largest size (100000; 1000000 adds 1M)")
    parser.add_argument("--calls", type=int, default=30, help="measured rounds (30)")
    parser.add_argument("--open", type=int, default=2_000, help="running cases at every size (2000)")
    parser.add_argument("--no-explain", action="store_true", help="skip the query plans")
    parser.add_argument("--identifiers", action="store_true",
                        help="also search a whole case reference and a whole credit code")
    parser.add_argument("--names", choices=("realistic", "serial"), default="realistic",
                        help="customer names as companies are named (default), or a short list + a serial number")
    args = parser.parse_args(argv)
    global NAMES
    NAMES = args.names
    sizes = [s for s in (10_000, 100_000, 1_000_000) if s <= args.max] or [args.max]

    tmp = None
    if not args.database_url:
        tmp = tempfile.TemporaryDirectory(prefix="bench-inbox-")
    else:
        _trigram_in_public(args.database_url)
    logging.getLogger().setLevel(logging.WARNING)
    shown_url = re.sub(r"//([^:@/]+):[^@]+@", r"//\1:***@", args.database_url or f"sqlite:///{tmp.name}/<size>.sqlite")
    print(f"inbox bench on {shown_url}, sizes {', '.join(f'{s:,}' for s in sizes)}, {args.open:,} open cases, "
          f"{args.calls} interleaved rounds, {args.names} names, {os.cpu_count()} cpu(s), "
          f"load average {os.getloadavg()[0]:.2f}")

    built: list[Size] = []
    for size in sizes:
        url = args.database_url or f"sqlite:///{tmp.name}/inbox-{size}.sqlite"
        built.append(Size(size, url, args.open, f"inbox_{size}" if args.database_url else None, args.identifiers))
        b = built[-1]
        print(f"== {size:,} instances ({b.counts['instances']:,} instances, {b.counts['human_task']:,} human_task, "
              f"{b.counts['ready']:,} ready) populated in {b.took:.1f}s, search index tidied in {b.tidied:.1f}s")

    names = list(built[0].pages)
    times: dict[str, dict[int, list[float]]] = {n: {s: [] for s in sizes} for n in names}
    statements: dict[str, dict[int, list]] = {n: {} for n in names}
    for round_ in range(args.calls + 2):
        for b in built:
            with b.app.app_context():
                for name in names:
                    elapsed, seen = timed(b.pages[name], b.stmts)
                    if round_ >= 2:
                        times[name][b.size].append(elapsed)
                        statements[name][b.size] = seen
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
                print("\n".join(explain(results[name][sizes[-1]]["plan_sql"])))

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
    for b in built:
        with b.app.app_context():
            db.session.remove()
            db.engine.dispose()
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
