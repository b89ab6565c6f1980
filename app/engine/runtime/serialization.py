"""Workflow state as JSON, without the process spec.

SpiffWorkflow's serializer writes the whole parsed spec into every instance. Our specs
live in deployed definitions (parsed once and cached), so the stored state holds only the
task tree and data and the spec is attached again on load. This keeps a credit file's
state small and loading cheap.
"""

from __future__ import annotations

import json
from copy import deepcopy
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from app.engine.definitions import Bundle

# Ours and SpiffWorkflow's format; a change to either needs a data migration of stored state.
SERIALIZER_VERSION = f"c1-s{SPIFF_SERIALIZER_VERSION}"


class UnreadableState(RuntimeError):
    """Stored state cannot be restored: damaged, or written by another serializer version."""


class StateVersionError(UnreadableState):
    """Stored state was written by another serializer version and must be migrated first."""


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, bundle: Bundle | None = None):
        if bundle is None:
            raise StateVersionError("a workflow can only be restored with its deployed bundle")
        workflow = self.target_class(bundle.spec, bundle.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SERIALIZER_VERSION)


_SERIALIZER = _make_serializer()


def dump(workflow: BpmnWorkflow) -> str:
    """The workflow's state as compact JSON (spec excluded)."""
    registry = _SERIALIZER.registry
    registry._encoder_mode = True
    try:
        dct = registry.convert(workflow)
    finally:
        registry._encoder_mode = False
    dct["serializer_version"] = SERIALIZER_VERSION
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"), ensure_ascii=False)


def load(state: str, bundle: Bundle) -> BpmnWorkflow:
    """Restore a workflow from ``dump`` output onto its bundle's spec."""
    try:
        # A NaN or an infinity stored before the input guards reads as None (the pages show a dash), never as
        # a float that breaks every later comparison and formatting of the case (as the JSON columns read it).
        dct = json.loads(state, parse_constant=lambda _name: None)
        version = dct.pop("serializer_version", None)
    except (TypeError, ValueError, AttributeError) as exc:
        raise UnreadableState(f"not a stored workflow: {exc}") from exc
    if version != SERIALIZER_VERSION:
        raise StateVersionError(
            f"state written by serializer {version}, this code reads {SERIALIZER_VERSION}"
        )
    try:
        return _SERIALIZER.registry.restore(dct, bundle=bundle)
    except UnreadableState:
        raise
    except Exception as exc:  # noqa: BLE001 - SpiffWorkflow's KeyError, ValueError... on a damaged state
        raise UnreadableState(f"{type(exc).__name__}: {exc}") from exc
