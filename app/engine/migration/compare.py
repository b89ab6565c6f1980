"""Comparing two versions of a bundle: what each of its processes gains, loses and changes.

SpiffWorkflow's ``bpmn.util.diff`` aligns the old version's task specs with the new one's (by element id
first, then by position). A business rule task is compared by the decision it calls, and SpecDiff's
attribute names are turned into the words the services show. The diffs of one pair of versions are
computed once for a whole batch of cases.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from app.engine.definitions import Bundle


class _DecisionTaskConverter(SpiffBpmnTaskConverter):
    """A business rule task compared by the decision it calls (its DMN is in the bundle, not the spec)."""

    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct["decision_id"] = spec.dmnEngine.decision_id
        return dct


def _diff_registry():
    config = deepcopy(SPIFF_CONFIG)
    config[BusinessRuleTask] = _DecisionTaskConverter
    return BpmnWorkflowSerializer.configure(config)


_REGISTRY = _diff_registry()

# SpecDiff's attribute names, as the words the services show (the rest pass through as they are).
_ATTRIBUTES = {
    "inputs": "flows",
    "outputs": "flows",
    "bpmn_name": "name",
    "bpmn_id": "id",
    "lane": "lane",
    "extensions": "properties",
    "script": "script",
    "prescript": "script",
    "postscript": "script",
    "event_definition": "event",
    "cancel_activity": "event",
    "typename": "type",
    "manual": "type",
    "decision_id": "decision",
    "cond_task_specs": "conditions",
    "default_task_spec": "conditions",
    "choice": "conditions",
    "data_input_associations": "data",
    "data_output_associations": "data",
    "io_specification": "data",
    "documentation": "documentation",
    "spec": "called process",
    "cardinality": "instances",
    "condition": "instances",
    "data_input": "instances",
    "data_output": "instances",
    "input_item": "instances",
    "output_item": "instances",
    "task_spec": "instances",
}
IGNORED = {"name", "description", "lookahead"}  # the spec's key, type label and engine tuning
FLOWS = {"inputs", "outputs"}


@dataclass(frozen=True)
class Element:
    """A diagram element: its id, label and kind, in the process (or called process) it belongs to."""

    id: str
    name: str
    kind: str
    process: str
    visible: bool = True  # False: a helper the engine adds (start, end joins, boundary splits)


@dataclass(frozen=True)
class Changed:
    element: Element
    attributes: tuple[str, ...]  # what differs, in _ATTRIBUTES' words


@dataclass(frozen=True)
class SpecChanges:
    """What one process of the bundle gains, loses and changes from one version to the next."""

    process: str
    added: tuple[Element, ...] = ()
    removed: tuple[Element, ...] = ()
    changed: tuple[Changed, ...] = ()
    dropped: bool = False  # the new version no longer includes this (called) process
    new: bool = False  # the old version did not include it

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.dropped or self.new)


def element_of(spec, process: str) -> Element:
    """The element a task spec stands for, in ``process``."""
    bpmn_id = getattr(spec, "bpmn_id", None)
    return Element(
        id=bpmn_id or spec.name,
        name=getattr(spec, "bpmn_name", None) or bpmn_id or spec.name,
        kind=type(spec).__name__,
        process=process,
        visible=bpmn_id is not None,
    )


def attribute_words(keys: Iterable[str]) -> tuple[str, ...]:
    """SpecDiff's attribute names as the words the services show, each once, engine tuning left out."""
    return tuple(dict.fromkeys(_ATTRIBUTES.get(k, k) for k in keys if k not in IGNORED))


@dataclass
class Diffs:
    """The spec diffs of one pair of bundles: the top process and each called process or subprocess."""

    old: Bundle
    new: Bundle
    top: SpecDiff
    dependencies: dict[str, SpecDiff | None] = field(default_factory=dict)


_diffs_lock = threading.Lock()
_DIFFS: OrderedDict[tuple[str, str], Diffs] = OrderedDict()


def diffs_of(old: Bundle, new: Bundle) -> Diffs:
    """Diffs are per pair of versions: computed once for a whole batch of cases."""
    key = (old.content_hash, new.content_hash)
    with _diffs_lock:
        found = _DIFFS.get(key)
    if found is not None and found.old is old and found.new is new:  # a rebuilt bundle has new spec objects
        return found
    found = Diffs(
        old,
        new,
        SpecDiff(_REGISTRY, old.spec, new.spec),
        {
            name: SpecDiff(_REGISTRY, spec, new.subprocess_specs[name])
            if name in new.subprocess_specs
            else None
            for name, spec in old.subprocess_specs.items()
        },
    )
    with _diffs_lock:
        _DIFFS[key] = found
        while len(_DIFFS) > 32:
            _DIFFS.popitem(last=False)
    return found


def _spec_changes(process: str, diff: SpecDiff) -> SpecChanges:
    def shown(specs) -> tuple[Element, ...]:
        return tuple(e for e in (element_of(s, process) for s in specs) if e.visible)

    changed = []
    for spec, keys in diff.changed.items():
        element, attributes = element_of(spec, process), attribute_words(keys)
        if element.visible and attributes:
            changed.append(Changed(element, attributes))
    return SpecChanges(
        process,
        added=shown(diff.added),
        removed=shown(diff.removed),
        changed=tuple(sorted(changed, key=lambda c: c.element.id)),
    )


def spec_changes(old: Bundle, new: Bundle) -> list[SpecChanges]:
    """What the new version changes, process by process (the top process first)."""
    diffs = diffs_of(old, new)
    found = [_spec_changes(old.process_id, diffs.top)]
    for name, diff in sorted(diffs.dependencies.items()):
        found.append(SpecChanges(name, dropped=True) if diff is None else _spec_changes(name, diff))
    found += [
        SpecChanges(name, new=True) for name in sorted(set(new.subprocess_specs) - set(old.subprocess_specs))
    ]
    return [c for c in found if not c.empty or c.process == old.process_id]
