"""The baselines of ``engine_overhead.py``: the same diagrams on bare SpiffWorkflow in memory, the same
``CreditScriptEngine`` (sandbox and DMN), one JSON round trip per task through SpiffWorkflow's stock
serializer (with a bench-only converter for our ``DecisionRef``) or through the app's spec-less
``dump()`` / ``load()``.

Imported by the bench after it puts the repository root on ``sys.path``.
"""

from __future__ import annotations

import time
from copy import deepcopy
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from SpiffWorkflow.util.task import TaskState

from app.engine import build_bundle
from app.engine.runtime import serialization
from app.engine.scripting import CreditScriptEngine, DecisionRef
from app.services.design.forms.forms import accept
from bench.engine_overhead_cases import PROCESS, review_for

ROOT = Path(__file__).resolve().parent.parent

# What the services pass for a new customer (no class on file), so the baselines run the same scripts.
BASELINE_DIRECTORY = {"class_on_file": lambda uscc: None}


def file_bundle():
    bpmn = ROOT / "workflows" / f"{PROCESS}.bpmn"
    dmn = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "rules").glob("*.dmn"))}
    called = {
        "compliance_signoff.bpmn": (ROOT / "workflows" / "compliance_signoff.bpmn").read_text(
            encoding="utf-8"
        )
    }
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

    LABELS = {
        "stock": "bare SpiffWorkflow, stock serializer (spec in)",
        "specless": "bare SpiffWorkflow, spec-less dump/load",
    }

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
        workflow.script_engine = CreditScriptEngine(
            decisions=self.bundle.decisions, directory=BASELINE_DIRECTORY
        )
        return workflow

    def step(self, state: str, spec_id: str, data_for) -> str:
        workflow = self.load(state)
        task = next(
            t
            for t in workflow.get_tasks(state=TaskState.READY, manual=True)
            if t.task_spec.bpmn_id == spec_id
        )
        task.data.update(data_for(task))
        task.run()
        workflow.do_engine_steps()
        return self.dump(workflow)

    def case(self, index: int, normalized) -> str:
        workflow = BpmnWorkflow(
            self.bundle.spec,
            self.bundle.subprocess_specs,
            script_engine=CreditScriptEngine(decisions=self.bundle.decisions, directory=BASELINE_DIRECTORY),
        )
        workflow.do_engine_steps()
        state = self.dump(workflow)
        state = self.step(state, "application_intake", lambda t: normalized["intake"][index])
        state = self.step(state, "financial_statements", lambda t: normalized["statements"][index])
        state = self.step(
            state,
            "review_proposal",
            lambda t: accept(normalized["review_schema"], review_for(t.data["proposed_limit"]), "zh_CN"),
        )
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
        return {
            "elapsed": self.elapsed,
            "chunks": self.chunks,
            "cases": len(self.states),
            "finished": finished,
            "sizes": [len(s) for s in self.states],
            "size_bytes": [len(s.encode()) for s in self.states],
        }
