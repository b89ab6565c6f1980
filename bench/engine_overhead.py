"""Engine overhead: the credit application through the services vs. bare SpiffWorkflow.

Run from the repository root::

    .venv/bin/python bench/engine_overhead.py              # 200 cases each way
    .venv/bin/python bench/engine_overhead.py --cases 50 --profile

**Service path.** A fresh SQLite *file* database (``create_app(TestingConfig,
SQLALCHEMY_DATABASE_URI=sqlite:///<tmp>/bench.sqlite)`` + ``db.create_all()``), the users of
``tests/factories.py``, ``credit_application`` deployed from ``workflows/`` + ``rules/``.
Each case is ``cases.start_case`` then ``tasks.complete`` for intake, statements, review
(the officer) and the sign-off (an approver whose authority level covers the amount, approve).
That is everything a person's click costs: form validation, load instance, engine step,
serialize, projections (human_task, timer, decision_log), audit chain, customer sync, commit.

**Baseline ("bare").** The same diagrams, parsed by ``app.engine.build_bundle`` from the same
files, run on ``BpmnWorkflow(bundle.spec, bundle.subprocess_specs,
script_engine=CreditScriptEngine(decisions=bundle.decisions))`` in memory: the same sandboxed
scripts and the same DMN evaluator, so every decision really runs (SpiffWorkflow's stock DMN
engine cannot read our FEEL cells, and the stock script engine is plain exec/eval: a faster
but dishonest baseline). Each user task gets exactly the data the service path passes to the
engine (the form-normalized submission, computed once up front). Between tasks the workflow
goes through ``app.engine.serialization.dump()`` / ``load()``: that is SpiffWorkflow's own
``BpmnWorkflowSerializer`` configured from ``SPIFF_CONFIG`` minus the spec (the spec is
attached from the bundle on load). One JSON round trip per task is the minimum any durable
engine pays, so ``services / bare`` measures what the app adds on top of the engine - DB, projections,
audit, authorization, forms - and not the engine itself.

The stock serializer (``BpmnWorkflowSerializer(configure(SPIFF_CONFIG)).serialize_json``, spec
included) is also tried on one finished case, to show what the spec-less state saves; our
business rule tasks hold a ``DecisionRef`` instead of SpiffWorkflow's DMN engine, so the stock
serializer may refuse them - the bench then says so.

Prints cases/second each way, the ratio (goal >= 0.5), the stored state size at the end of a
case (median, max; goal <= 32 KB), a per-case breakdown of the service path (time inside the
engine adapter vs. the rest, SQL statements, audit rows) and, with ``--profile``, a cProfile
top-15 by cumulative time of the service path. Never asserts: it prints figures and exits 0.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections import Counter  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

import app.engine as engine_pkg  # noqa: E402
from app import create_app  # noqa: E402
from app.engine import build_bundle, serialization  # noqa: E402
from app.engine.scripting import CreditScriptEngine  # noqa: E402
from app.extensions import db  # noqa: E402
from app.models import AuditEvent, HumanTask, ProcessInstance  # noqa: E402
from app.services import cases, deployment, tasks  # noqa: E402
from app.services.forms import accept, schema_of  # noqa: E402
from config import TestingConfig  # noqa: E402
from tests import factories  # noqa: E402

PROCESS = "credit_application"
SIZES = ("large", "medium", "small", "micro")
STATE_GOAL = 32 * 1024
RATIO_GOAL = 0.5


# ---------------------------------------------------------------- case data

def intake_for(index: int) -> dict:
    """A different customer per case (its own USCC, so the customer sync creates a row)."""
    size = SIZES[index % 4]
    amount = {"large": 80_000_000, "medium": 12_000_000, "small": 2_500_000, "micro": 400_000}[size]
    return factories.intake(index + 1, size=size, requested_amount=amount,
                            customer_name=f"基准测试{index:05d}号有限公司")


def statements_for(index: int) -> dict:
    assets = {"large": 2e9, "medium": 4e8, "small": 6e7, "micro": 8e6}[SIZES[index % 4]]
    return {"statements": factories.statements(health=1.3, assets=assets)}


def review_for(proposed_limit) -> dict:
    return {"proposed_limit": proposed_limit, "proposed_term_months": 12, "proposed_margin_pct": 1.2,
            "proposed_controls": "按季报送财务报表", "officer_opinion": "经营稳健，建议授信。"}


SIGNOFF = {"decision": "approve", "comment": "同意。"}


# ---------------------------------------------------------------- service path

class Meter:
    """Wraps the engine adapter's entry points (as the services look them up) to time them."""

    def __init__(self) -> None:
        self.engine_s = 0.0
        self.dump_s = 0.0
        self.load_s = 0.0
        self.calls = Counter()
        self.statements = 0

    def install(self) -> None:
        for name in ("start", "complete_task", "task_data"):
            setattr(engine_pkg, name, self._timed(getattr(engine_pkg, name), name, "engine_s"))
        serialization.dump = self._timed(serialization.dump, "dump", "dump_s")
        serialization.load = self._timed(serialization.load, "load", "load_s")

    def _timed(self, fn, name, slot):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                setattr(self, slot, getattr(self, slot) + time.perf_counter() - t0)
                self.calls[name] += 1
        wrapper.__wrapped__ = fn
        return wrapper

    def uninstall(self) -> None:
        for name in ("start", "complete_task", "task_data"):
            setattr(engine_pkg, name, getattr(engine_pkg, name).__wrapped__)
        serialization.dump = serialization.dump.__wrapped__
        serialization.load = serialization.load.__wrapped__


def open_task(instance_id: int, spec: str) -> HumanTask:
    return db.session.scalar(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                     HumanTask.task_spec == spec, HumanTask.state == "ready"))


def drive_service_case(index: int, people) -> int:
    officer = people.officer if index % 2 == 0 else people.officer2
    instance = cases.start_case(officer, PROCESS)
    iid = instance.id
    tasks.complete(officer, open_task(iid, "application_intake").id, intake_for(index))
    tasks.complete(officer, open_task(iid, "financial_statements").id, statements_for(index))
    tasks.complete(officer, open_task(iid, "review_proposal").id, review_for(instance.summary["proposed_limit"]))
    signoff = open_task(iid, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level or 3, people.approver3)
    tasks.complete(approver, signoff.id, SIGNOFF)
    return iid


def run_services(n: int, profile: bool, tmp: str):
    url = f"sqlite:///{tmp}/bench.sqlite"
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    logging.getLogger().setLevel(logging.WARNING)
    out: dict = {"url": url}
    with app.app_context():
        db.create_all()
        people = factories.people()
        factories.deploy()
        bundle = deployment.bundle_for(deployment.latest_definition(PROCESS))
        drive_service_case(n + 1000, people)  # warm-up (bundle cache, statement cache), not timed

        meter = Meter()
        statements = [0]

        def count(*_args, **_kwargs):
            statements[0] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        meter.install()
        profiler = cProfile.Profile() if profile else None
        audit_before = db.session.scalar(select(func.count(AuditEvent.id)))
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        instance_ids = []
        for i in range(n):
            instance_ids.append(drive_service_case(i, people))
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - t0
        meter.uninstall()
        event.remove(db.engine, "before_cursor_execute", count)
        audit_rows = db.session.scalar(select(func.count(AuditEvent.id))) - audit_before

        rows = db.session.execute(select(ProcessInstance.status, ProcessInstance.outcome,
                                         func.length(ProcessInstance.state))
                                  .where(ProcessInstance.id.in_(instance_ids))).all()
        out.update(
            elapsed=elapsed, cases=n, outcomes=Counter((r[0], r[1]) for r in rows),
            sizes=[r[2] for r in rows], meter=meter, statements=statements[0], audit_rows=audit_rows,
            bundle_hash=bundle.content_hash,
            db_bytes=os.path.getsize(f"{tmp}/bench.sqlite"),
        )
        # The exact data the engine receives from tasks.complete, for the bare baseline.
        forms = bundle.forms
        out["normalized"] = {
            "intake": [accept(schema_of(forms, "application_intake.json"), intake_for(i), "zh_CN")
                       for i in range(n)],
            "statements": [accept(schema_of(forms, "financial_statements.json"), statements_for(i), "zh_CN")
                           for i in range(n)],
            "signoff": accept(schema_of(forms, "approval_signoff.json"), SIGNOFF, "zh_CN"),
            "review_schema": schema_of(forms, "review_proposal.json"),
        }
        state_sample = db.session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == instance_ids[0]))
        out["state_sample"] = state_sample
        db.session.remove()
        db.engine.dispose()
    if profiler:
        buf = io.StringIO()
        pstats.Stats(profiler, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(15)
        out["profile"] = buf.getvalue()
    return out


# ---------------------------------------------------------------- bare SpiffWorkflow

def file_bundle():
    bpmn = ROOT / "workflows" / f"{PROCESS}.bpmn"
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    return build_bundle(bpmn.name, bpmn.read_text(encoding="utf-8"), dmn, {}, PROCESS)


def bare_step(bundle, state: str, spec_id: str, data_for) -> str:
    workflow = serialization.load(state, bundle)
    workflow.script_engine = CreditScriptEngine(decisions=bundle.decisions)
    task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                if t.task_spec.bpmn_id == spec_id)
    task.data.update(data_for(task))
    task.run()
    workflow.do_engine_steps()
    return serialization.dump(workflow)


def drive_bare_case(bundle, index: int, normalized) -> str:
    workflow = BpmnWorkflow(bundle.spec, bundle.subprocess_specs,
                            script_engine=CreditScriptEngine(decisions=bundle.decisions))
    workflow.do_engine_steps()
    state = serialization.dump(workflow)
    state = bare_step(bundle, state, "application_intake", lambda t: normalized["intake"][index])
    state = bare_step(bundle, state, "financial_statements", lambda t: normalized["statements"][index])
    state = bare_step(bundle, state, "review_proposal", lambda t: accept(
        normalized["review_schema"], review_for(t.data["proposed_limit"]), "zh_CN"))
    state = bare_step(bundle, state, "approval_signoff", lambda t: normalized["signoff"])
    return state


def run_bare(n: int, normalized):
    bundle = file_bundle()
    drive_bare_case(bundle, 0, normalized)  # warm-up
    states = []
    t0 = time.perf_counter()
    for i in range(n):
        states.append(drive_bare_case(bundle, i, normalized))
    elapsed = time.perf_counter() - t0
    finished = sum(1 for s in states if serialization.load(s, bundle).is_completed())
    stock = stock_serializer_size(bundle, normalized)
    return {"elapsed": elapsed, "cases": n, "sizes": [len(s) for s in states], "finished": finished,
            "stock": stock}


def stock_serializer_size(bundle, normalized) -> str:
    """Size of one finished case with SpiffWorkflow's stock serializer (spec included), if it can."""
    try:
        state = drive_bare_case(bundle, 0, normalized)
        workflow = serialization.load(state, bundle)
        serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        t0 = time.perf_counter()
        text = serializer.serialize_json(workflow)
        ser = time.perf_counter() - t0
        t0 = time.perf_counter()
        serializer.deserialize_json(text)
        de = time.perf_counter() - t0
        return (f"{len(text) / 1024:.1f} KB (serialize {ser * 1e3:.1f} ms, deserialize {de * 1e3:.1f} ms) "
                f"vs ours {len(state) / 1024:.1f} KB")
    except Exception as exc:  # noqa: BLE001 - reported, not fatal
        return f"not possible with our specs: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"


# ---------------------------------------------------------------- report

def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200, help="cases each way (default 200)")
    parser.add_argument("--profile", action="store_true", help="cProfile top-15 of the service path")
    args = parser.parse_args(argv)
    n = args.cases

    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        print(f"credit_application x {n} cases, {os.cpu_count()} cpu(s), python {sys.version.split()[0]}")
        svc = run_services(n, args.profile, tmp)
    bare = run_bare(n, svc["normalized"])

    svc_rate = n / svc["elapsed"]
    bare_rate = n / bare["elapsed"]
    ratio = svc_rate / bare_rate
    sizes = svc["sizes"]
    meter: Meter = svc["meter"]
    per = 1e3 / n
    steps = 5

    print()
    print(f"{'path':<34}{'cases/s':>9}{'ms/case':>9}{'ms/step':>9}")
    print(f"{'bare SpiffWorkflow + dump/load':<34}{bare_rate:>9.1f}{bare['elapsed'] * per:>9.1f}"
          f"{bare['elapsed'] * per / steps:>9.2f}")
    print(f"{'services (SQLite file)':<34}{svc_rate:>9.1f}{svc['elapsed'] * per:>9.1f}"
          f"{svc['elapsed'] * per / steps:>9.2f}")
    print()
    print(f"outcomes (services): {dict(svc['outcomes'])}; bare cases completed: {bare['finished']}/{n}")
    print(f"stored state at end (ProcessInstance.state): median {kb(statistics.median(sizes))}, "
          f"max {kb(max(sizes))}  (goal <= {kb(STATE_GOAL)})")
    print(f"bare state at end: median {kb(statistics.median(bare['sizes']))}, max {kb(max(bare['sizes']))}")
    print(f"stock SpiffWorkflow serializer, one finished case: {bare['stock']}")
    print()
    eng = meter.engine_s * per
    total = svc["elapsed"] * per
    print("service path per case:")
    print(f"  engine adapter (start/complete_task/task_data, incl. dump/load) {eng:7.1f} ms "
          f"({eng / total:5.1%})   [dump {meter.dump_s * per:.1f} ms, load {meter.load_s * per:.1f} ms; "
          f"calls {dict(meter.calls)}]")
    print(f"  everything else (forms, SQL, projections, audit, customers)     {total - eng:7.1f} ms "
          f"({(total - eng) / total:5.1%})")
    print(f"  SQL statements {svc['statements'] / n:.1f}/case, audit rows {svc['audit_rows'] / n:.1f}/case, "
          f"database file {svc['db_bytes'] / 1e6:.1f} MB")
    if svc.get("profile"):
        print()
        print("cProfile, service path, top 15 by cumulative time:")
        print(svc["profile"].rstrip())
    print()
    print(f"state {kb(statistics.median(sizes))} median / {kb(max(sizes))} max (goal <= {kb(STATE_GOAL)})")
    print(f"ratio {ratio:.2f} (goal >= {RATIO_GOAL})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
