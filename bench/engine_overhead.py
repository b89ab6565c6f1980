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
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

from bench.engine_overhead_bare import Baseline, file_bundle  # noqa: E402
from bench.engine_overhead_cases import normalized_inputs  # noqa: E402
from bench.engine_overhead_service import Meter, ServiceRun  # noqa: E402
from config import BaseConfig  # noqa: E402

STATE_GOAL = 32 * 1024
RATIO_GOAL = 0.5
SERVICE_LABELS = {"warm": "services, SQLite file (app as is)", "cold": "services, cold (ENGINE_CACHE_SIZE=0)"}


def chunk_ratio(baseline: dict, service: dict) -> float:
    """Median over the interleaved chunks of (service cases/s ÷ baseline cases/s): chunks side by
    side ran under the same machine load, so a burst of load elsewhere moves one chunk, not the figure."""
    return statistics.median(b / s for b, s in zip(baseline["chunks"], service["chunks"], strict=True))


def quartered(values: list) -> list[list]:
    size = max(1, len(values) // 4)
    return [values[i : i + size] for i in range(0, size * 4, size)]


def kb(n: float) -> str:
    return f"{n / 1024:.1f} KB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=200, help="cases each way (default 200)")
    parser.add_argument("--profile", action="store_true", help="cProfile top-15 of the service path")
    args = parser.parse_args(argv)
    n = args.cases
    print(
        f"credit_application x {n} cases each way, {os.cpu_count()} cpu(s), "
        f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}"
    )

    chunk = 10
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        services = {
            "warm": ServiceRun(tmp, args.profile, BaseConfig.ENGINE_CACHE_SIZE),
            "cold": ServiceRun(tmp, False, 0),
        }
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
        print(
            f"{Baseline.LABELS[kind]:<48}{rate[kind]:>9.1f}{b['elapsed'] * per:>9.1f}"
            f"{b['elapsed'] * per / steps:>9.2f}{'-':>10}"
        )
    for name, label in SERVICE_LABELS.items():
        run = ran[name]
        print(
            f"{label:<48}{n / run['elapsed']:>9.1f}{run['elapsed'] * per:>9.1f}"
            f"{run['elapsed'] * per / steps:>9.2f}{run['statements'] / n:>10.1f}"
        )
    print()
    print(
        f"outcomes (services): {dict(svc['outcomes'])}; bare cases completed: "
        + ", ".join(f"{kind} {b['finished']}/{n}" for kind, b in bare.items())
    )
    print(
        f"services: {svc['chain']}, {svc['audit_rows'] / n:.1f} audit rows/case, "
        f"database file {svc['db_bytes'] / 1e6:.1f} MB"
    )
    sizes, size_bytes = svc["sizes"], svc["size_bytes"]
    print(
        f"stored state at end (len of ProcessInstance.state): median {kb(statistics.median(sizes))}, "
        f"max {kb(max(sizes))}  [UTF-8 bytes: median {kb(statistics.median(size_bytes))}, "
        f"max {kb(max(size_bytes))}]  (goal <= {kb(STATE_GOAL)})"
    )
    for kind, b in bare.items():
        print(
            f"{kind} baseline state per finished case: median {kb(statistics.median(b['sizes']))}, "
            f"max {kb(max(b['sizes']))}"
        )
    print()
    meter: Meter = svc["meter"]
    eng = meter.engine_s * per
    total = svc["elapsed"] * per
    print("where the service path spends a case:")
    print(
        f"  engine adapter (start/complete_task, incl. dump/load) {eng:7.1f} ms ({eng / total:5.1%})"
        f"  [dump {meter.dump_s * per:.1f} ms, load {meter.load_s * per:.1f} ms]"
    )
    print(
        f"  the rest: forms, SQL, projections, audit, customers  {total - eng:7.1f} ms "
        f"({(total - eng) / total:5.1%})"
    )
    if svc.get("profile"):
        print()
        print("cProfile, service path, top 15 by cumulative time:")
        print(svc["profile"].strip())
    print()
    print(f"state {kb(statistics.median(sizes))} median / {kb(max(sizes))} max (goal <= {kb(STATE_GOAL)})")
    print(
        f"ratio vs stock SpiffWorkflow round trip: {svc_rate / rate['stock']:.2f} over the whole run, "
        f"{chunk_ratio(bare['stock'], svc):.2f} median of chunks (goal >= {RATIO_GOAL})"
    )
    quarters = [
        chunk_ratio({"chunks": q_b}, {"chunks": q_s})
        for q_b, q_s in zip(quartered(bare["stock"]["chunks"]), quartered(svc["chunks"]), strict=True)
        if q_b
    ]
    print("  by quarter of the run (the database grows): " + ", ".join(f"{q:.2f}" for q in quarters))
    print(f"ratio vs spec-less round trip: {svc_rate / rate['specless']:.2f}")
    print(
        f"cold process (every step parses its state): {cold_rate / rate['stock']:.2f} vs stock, "
        f"{cold_rate / rate['specless']:.2f} vs spec-less"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
