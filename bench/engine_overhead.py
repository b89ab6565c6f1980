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

**Baselines ("bare").** The same diagrams, parsed by ``app.engine.build_bundle`` from the same
files, run on ``BpmnWorkflow(bundle.spec, bundle.subprocess_specs,
script_engine=CreditScriptEngine(decisions=bundle.decisions))`` in memory: the same sandboxed
scripts and the same DMN evaluator, so every decision really runs (SpiffWorkflow's stock DMN
engine cannot read our FEEL cells, and the stock script engine is plain exec/eval: a faster
but dishonest baseline). Each user task gets exactly the data the service path passes to the
engine (the form-normalized submission, computed once up front). Between tasks the workflow
makes one JSON round trip, in one of two ways:

* **stock** - the literal reading of the goal: SpiffWorkflow's own ``BpmnWorkflowSerializer``
  configured from a copy of ``SPIFF_CONFIG``, spec included in every round trip
  (``serialize_json`` / ``deserialize_json``). Our business rule tasks hold an
  ``app.engine.scripting.DecisionRef`` instead of SpiffWorkflow's DMN engine, so the bench
  registers (for itself only) a converter that writes the decision id and restores the
  ``DecisionRef``; the script engine is set again after each deserialize.
* **spec-less** - ``app.engine.runtime.serialization.dump()`` / ``load()``, the app's own format (spec
  attached from the bundle on load). Cheaper than stock, so the stricter baseline.

``services / stock`` is the goal's figure (>= 0.5); ``services / spec-less`` measures what the
app adds on top of its own engine adapter - DB, projections, audit, authorization, forms.

Prints cases/second for each path, both ratios, the stored state size at the end of a case
(median, max; goal <= 32 KB), the stock state size per finished case, a per-case breakdown of
the service path (time inside the engine adapter vs. the rest, SQL statements, audit rows)
and, with ``--profile``, a cProfile top-15 by cumulative time of the service path. Never asserts: it prints figures and exits 0.
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
from copy import deepcopy  # noqa: E402
from types import SimpleNamespace  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter  # noqa: E402
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import bindparam, event, func, select  # noqa: E402

import app.engine as engine_pkg  # noqa: E402
from app import create_app  # noqa: E402
from app.engine import build_bundle  # noqa: E402
from app.engine.runtime import serialization  # noqa: E402
from app.engine.scripting import CreditScriptEngine, DecisionRef  # noqa: E402

# What the services pass for a new customer (no class on file), so the baselines run the same scripts.
BASELINE_DIRECTORY = {"class_on_file": lambda uscc: None}
from app.extensions import db  # noqa: E402
from app.models import AuditEvent, HumanTask, ProcessInstance, User  # noqa: E402
from app.services.admin.demo import COMPLIANT  # noqa: E402
from app.services.cases import cases, tasks  # noqa: E402
from app.services.design.deployment import deployment  # noqa: E402
from app.services.design.forms.forms import accept, schema_of  # noqa: E402
from config import BaseConfig, TestingConfig  # noqa: E402
from tests import factories  # noqa: E402

PROCESS = "credit_application"
SIZES = ("large", "medium", "small", "micro")
STATE_GOAL = 32 * 1024
RATIO_GOAL = 0.5
SERVICE_LABELS = {"warm": "services, SQLite file (app as is)", "cold": "services, cold (ENGINE_CACHE_SIZE=0)"}


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


_OPEN_TASK = select(HumanTask.id, HumanTask.required_level).where(
    HumanTask.instance_id == bindparam("instance_id"), HumanTask.task_spec == bindparam("spec"),
    HumanTask.state == "ready")


def open_task(instance_id: int, spec: str):
    """The harness finding the task to click (in the browser, the link on the case page). It is
    not a service call, so it runs outside the stopwatch, as does its SQL. It ends its transaction,
    so the service call still pays for taking a connection and beginning one, as a request does."""
    row = db.session.execute(_OPEN_TASK, {"instance_id": instance_id, "spec": spec}).one()
    db.session.commit()
    return row


class Stopwatch:
    """Times the service calls only, and says when one is running (for counting their SQL)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.running = False

    def __call__(self, fn, *args, **kwargs):
        self.running, t0 = True, time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - t0
            self.running = False


def drive_service_case(index: int, people, timed: Stopwatch) -> int:
    officer = people.officer if index % 2 == 0 else people.officer2
    instance = timed(cases.start_case, officer, PROCESS)
    iid = instance.id
    timed(tasks.complete, officer, open_task(iid, "application_intake").id, intake_for(index))
    timed(tasks.complete, officer, open_task(iid, "financial_statements").id, statements_for(index))
    timed(tasks.complete, officer, open_task(iid, "review_proposal").id,
          review_for(instance.summary["proposed_limit"]))
    signoff = open_task(iid, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level or 3, people.approver3)
    timed(tasks.complete, approver, signoff.id, SIGNOFF)
    timed(tasks.complete, people.compliance, open_task(iid, "compliance_checklist").id, COMPLIANT)
    return iid


def normalized_inputs(forms, n: int) -> dict:
    """The exact data tasks.complete hands the engine (form-normalized), for the bare baseline."""
    return {
        "intake": [accept(schema_of(forms, "application_intake.json"), intake_for(i), "zh_CN") for i in range(n)],
        "statements": [accept(schema_of(forms, "financial_statements.json"), statements_for(i), "zh_CN")
                       for i in range(n)],
        "signoff": accept(schema_of(forms, "approval_signoff.json"), SIGNOFF, "zh_CN"),
        "compliance": accept(schema_of(forms, "compliance_checklist.json"), COMPLIANT, "zh_CN"),
        "review_schema": schema_of(forms, "review_proposal.json"),
    }


class ServiceRun:
    """The service path on its own fresh SQLite file (the app's own pragmas), driven in chunks
    interleaved with the baselines, so a busy machine slows every path alike."""

    def __init__(self, tmp: str, profile: bool, cache_size: int) -> None:
        self.path = f"{tmp}/bench-{cache_size}.sqlite"
        self.cache_size = cache_size
        self.app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.path}",
                              ENGINE_CACHE_SIZE=cache_size)
        logging.getLogger().setLevel(logging.WARNING)
        self.profiler = cProfile.Profile() if profile else None
        self.meter = Meter()
        self.elapsed = 0.0
        self.chunks: list[float] = []
        self.stopwatch = Stopwatch()
        self.statements = 0
        self.instance_ids: list[int] = []
        with self.app.app_context():
            db.create_all()
            self.user_ids = {name: user.id for name, user in vars(factories.people()).items()}
            factories.deploy()
            self.forms = deployment.bundle_for(deployment.latest_definition(PROCESS)).forms
            self.audit_before = 1  # users' rows are counted below
            self._chunk([10_000])  # warm-up (bundle cache, statement cache), not counted
            self.elapsed, self.statements, self.instance_ids, self.chunks = 0.0, 0, [], []
            self.meter = Meter()
            self.audit_before = db.session.scalar(select(func.count(AuditEvent.id)))

    def _count(self, *_args, **_kwargs) -> None:
        if self.stopwatch.running:
            self.statements += 1

    def _chunk(self, indices) -> None:
        engine_pkg.configure_cache(self.cache_size)  # the cache is per process, and two apps share this one
        self.meter.install()
        event.listen(db.engine, "before_cursor_execute", self._count)
        if self.profiler:
            self.profiler.enable()
        # a request loads its user: so does each chunk (its session ended with the last app context)
        people = SimpleNamespace(**{name: db.session.get(User, uid) for name, uid in self.user_ids.items()})
        self.stopwatch = Stopwatch()
        try:
            for i in indices:
                self.instance_ids.append(drive_service_case(i, people, self.stopwatch))
        finally:
            self.chunks.append(self.stopwatch.total)
            self.elapsed += self.chunks[-1]
            if self.profiler:
                self.profiler.disable()
            event.remove(db.engine, "before_cursor_execute", self._count)
            self.meter.uninstall()

    def chunk(self, indices) -> None:
        with self.app.app_context():
            self._chunk(indices)

    def finish(self) -> dict:
        n = len(self.instance_ids)
        with self.app.app_context():
            audit_rows = db.session.scalar(select(func.count(AuditEvent.id))) - self.audit_before
            rows = db.session.execute(select(ProcessInstance.status, ProcessInstance.outcome, ProcessInstance.state)
                                      .where(ProcessInstance.id.in_(self.instance_ids))).all()
            out = dict(
                elapsed=self.elapsed, chunks=self.chunks, cases=n,
                outcomes=Counter((r[0], r[1]) for r in rows),
                sizes=[len(r[2]) for r in rows], size_bytes=[len(r[2].encode()) for r in rows],
                meter=self.meter, statements=self.statements, audit_rows=audit_rows, chain=audit_mod_verify(),
                db_bytes=os.path.getsize(self.path), normalized=normalized_inputs(self.forms, n),
            )
            db.session.remove()
            db.engine.dispose()
        if self.profiler:
            buf = io.StringIO()
            pstats.Stats(self.profiler, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(15)
            out["profile"] = buf.getvalue()
        return out


def audit_mod_verify() -> str:
    from app.services.audit.audit import verify_chain

    report = verify_chain()
    return f"audit chain ok ({report.checked} rows)" if report.ok else f"AUDIT CHAIN BROKEN at {report.broken_at}"


# ---------------------------------------------------------------- bare SpiffWorkflow

def file_bundle():
    bpmn = ROOT / "workflows" / f"{PROCESS}.bpmn"
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    called = {"compliance_signoff.bpmn": (ROOT / "workflows" / "compliance_signoff.bpmn").read_text(encoding="utf-8")}
    return build_bundle(bpmn.name, bpmn.read_text(encoding="utf-8"), dmn, {}, PROCESS, called)


class DecisionRefTaskConverter(SpiffBpmnTaskConverter):
    """Bench only: lets the stock serializer write our business rule tasks, which hold a
    ``DecisionRef`` (a decision id) where SpiffWorkflow expects its own DMN engine."""

    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct["decision_id"] = spec.dmnEngine.decision_id
        return dct

    def from_dict(self, dct):
        dct["dmnEngine"] = DecisionRef(dct.pop("decision_id"))
        return self.task_spec_from_dict(dct)


def stock_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[BusinessRuleTask] = DecisionRefTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class Baseline:
    """Bare SpiffWorkflow in memory, one JSON round trip per task, with one of two serializers:

    * ``stock``: SpiffWorkflow's ``BpmnWorkflowSerializer`` as shipped (spec included in every
      round trip, ``serialize_json`` / ``deserialize_json``), the goal's literal baseline;
    * ``specless``: ``app.engine.runtime.serialization.dump()`` / ``load()`` (spec attached from the bundle
      on load), the app's own format, so the stricter baseline.
    """

    LABELS = {"stock": "bare SpiffWorkflow, stock serializer (spec in)",
              "specless": "bare SpiffWorkflow, spec-less dump/load"}

    def __init__(self, kind: str, bundle) -> None:
        self.kind, self.bundle = kind, bundle
        if kind == "stock":
            serializer = stock_serializer()
            self.dump, self._load = serializer.serialize_json, serializer.deserialize_json
        else:
            self.dump, self._load = serialization.dump, lambda state: serialization.load(state, bundle)
        self.elapsed = 0.0
        self.chunks: list[float] = []
        self.states: list[str] = []

    def load(self, state: str) -> BpmnWorkflow:
        workflow = self._load(state)
        workflow.script_engine = CreditScriptEngine(decisions=self.bundle.decisions, directory=BASELINE_DIRECTORY)
        return workflow

    def step(self, state: str, spec_id: str, data_for) -> str:
        workflow = self.load(state)
        task = next(t for t in workflow.get_tasks(state=TaskState.READY, manual=True)
                    if t.task_spec.bpmn_id == spec_id)
        task.data.update(data_for(task))
        task.run()
        workflow.do_engine_steps()
        return self.dump(workflow)

    def case(self, index: int, normalized) -> str:
        workflow = BpmnWorkflow(self.bundle.spec, self.bundle.subprocess_specs,
                                script_engine=CreditScriptEngine(decisions=self.bundle.decisions, directory=BASELINE_DIRECTORY))
        workflow.do_engine_steps()
        state = self.dump(workflow)
        state = self.step(state, "application_intake", lambda t: normalized["intake"][index])
        state = self.step(state, "financial_statements", lambda t: normalized["statements"][index])
        state = self.step(state, "review_proposal", lambda t: accept(
            normalized["review_schema"], review_for(t.data["proposed_limit"]), "zh_CN"))
        state = self.step(state, "approval_signoff", lambda t: normalized["signoff"])
        state = self.step(state, "compliance_checklist", lambda t: normalized["compliance"])
        return state

    def chunk(self, indices, normalized) -> None:
        t0 = time.perf_counter()
        for i in indices:
            self.states.append(self.case(i, normalized))
        self.chunks.append(time.perf_counter() - t0)
        self.elapsed += self.chunks[-1]

    def finish(self) -> dict:
        finished = sum(1 for s in self.states if self.load(s).is_completed())
        return {"elapsed": self.elapsed, "chunks": self.chunks, "cases": len(self.states), "finished": finished,
                "sizes": [len(s) for s in self.states], "size_bytes": [len(s.encode()) for s in self.states]}


# ---------------------------------------------------------------- report

def chunk_ratio(baseline: dict, service: dict) -> float:
    """Median over the interleaved chunks of (service cases/s ÷ baseline cases/s): chunks side by
    side ran under the same machine load, so a burst of load elsewhere moves one chunk, not the figure."""
    return statistics.median(b / s for b, s in zip(baseline["chunks"], service["chunks"], strict=True))


def quartered(values: list) -> list[list]:
    size = max(1, len(values) // 4)
    return [values[i:i + size] for i in range(0, size * 4, size)]


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200, help="cases each way (default 200)")
    parser.add_argument("--profile", action="store_true", help="cProfile top-15 of the service path")
    args = parser.parse_args(argv)
    n = args.cases
    print(f"credit_application x {n} cases each way, {os.cpu_count()} cpu(s), "
          f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}")

    chunk = 10
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        services = {"warm": ServiceRun(tmp, args.profile, BaseConfig.ENGINE_CACHE_SIZE),
                    "cold": ServiceRun(tmp, False, 0)}
        with services["warm"].app.app_context():
            normalized = normalized_inputs(services["warm"].forms, n)
        bundle = file_bundle()
        baselines = {kind: Baseline(kind, bundle) for kind in ("stock", "specless")}
        for baseline in baselines.values():
            baseline.case(0, normalized)  # warm-up
        for start in range(0, n, chunk):
            indices = range(start, min(n, start + chunk))
            for baseline in baselines.values():
                baseline.chunk(indices, normalized)
            for service in services.values():
                service.chunk(indices)
        ran = {name: service.finish() for name, service in services.items()}
    svc = ran["warm"]
    bare = {kind: baseline.finish() for kind, baseline in baselines.items()}

    per = 1e3 / n
    steps = 6  # start + 5 user tasks
    rate = {kind: n / b["elapsed"] for kind, b in bare.items()}
    svc_rate = n / svc["elapsed"]
    cold_rate = n / ran["cold"]["elapsed"]

    print()
    print(f"{'path':<48}{'cases/s':>9}{'ms/case':>9}{'ms/step':>9}{'SQL/case':>10}")
    for kind, b in bare.items():
        print(f"{Baseline.LABELS[kind]:<48}{rate[kind]:>9.1f}{b['elapsed'] * per:>9.1f}"
              f"{b['elapsed'] * per / steps:>9.2f}{'-':>10}")
    for name, label in SERVICE_LABELS.items():
        run = ran[name]
        print(f"{label:<48}{n / run['elapsed']:>9.1f}{run['elapsed'] * per:>9.1f}"
              f"{run['elapsed'] * per / steps:>9.2f}{run['statements'] / n:>10.1f}")
    print()
    print(f"outcomes (services): {dict(svc['outcomes'])}; bare cases completed: "
          + ", ".join(f"{kind} {b['finished']}/{n}" for kind, b in bare.items()))
    print(f"services: {svc['chain']}, {svc['audit_rows'] / n:.1f} audit rows/case, "
          f"database file {svc['db_bytes'] / 1e6:.1f} MB")
    sizes, size_bytes = svc["sizes"], svc["size_bytes"]
    print(f"stored state at end (len of ProcessInstance.state): median {kb(statistics.median(sizes))}, "
          f"max {kb(max(sizes))}  [UTF-8 bytes: median {kb(statistics.median(size_bytes))}, "
          f"max {kb(max(size_bytes))}]  (goal <= {kb(STATE_GOAL)})")
    for kind, b in bare.items():
        print(f"{kind} baseline state per finished case: median {kb(statistics.median(b['sizes']))}, "
              f"max {kb(max(b['sizes']))}")
    print()
    meter: Meter = svc["meter"]
    eng = meter.engine_s * per
    total = svc["elapsed"] * per
    print("where the service path spends a case:")
    print(f"  engine adapter (start/complete_task, incl. dump/load) {eng:7.1f} ms ({eng / total:5.1%})"
          f"  [dump {meter.dump_s * per:.1f} ms, load {meter.load_s * per:.1f} ms]")
    print(f"  the rest: forms, SQL, projections, audit, customers  {total - eng:7.1f} ms "
          f"({(total - eng) / total:5.1%})")
    if svc.get("profile"):
        print()
        print("cProfile, service path, top 15 by cumulative time:")
        print(svc["profile"].strip())
    print()
    print(f"state {kb(statistics.median(sizes))} median / {kb(max(sizes))} max (goal <= {kb(STATE_GOAL)})")
    print(f"ratio vs stock SpiffWorkflow round trip: {svc_rate / rate['stock']:.2f} over the whole run, "
          f"{chunk_ratio(bare['stock'], svc):.2f} median of chunks (goal >= {RATIO_GOAL})")
    quarters = [chunk_ratio({"chunks": q_b}, {"chunks": q_s}) for q_b, q_s in
                zip(quartered(bare["stock"]["chunks"]), quartered(svc["chunks"]), strict=True) if q_b]
    print("  by quarter of the run (the database grows): " + ", ".join(f"{q:.2f}" for q in quarters))
    print(f"ratio vs spec-less round trip: {svc_rate / rate['specless']:.2f}")
    print(f"cold process (every step parses its state): {cold_rate / rate['stock']:.2f} vs stock, "
          f"{cold_rate / rate['specless']:.2f} vs spec-less")
    return 0


if __name__ == "__main__":
    sys.exit(main())
