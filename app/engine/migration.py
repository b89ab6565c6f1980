"""Moving a running workflow onto a newer deployed version of its process.

SpiffWorkflow's ``bpmn.util.diff`` aligns the old version's task specs with the new one's (by
element id first, then by position) and ``migrate_workflow`` re-points the task tree and resets
the ready and waiting tasks, so that what lies ahead of them is predicted from the new diagram.
Its own docs call both new and liable to change: nothing of it leaves this module, and a
migration is only ever kept when its result loads back onto the new version.

What blocks a case (``Blocker``):
- a ready, waiting or running task whose element the new version removes, or changes in more than
  its sequence flows (a reset task keeps its own element, so a changed name, lane, form, script or
  event would leave it half old, half new);
- a ready or waiting task the new version reaches another way (its predecessor no longer leads to
  it, e.g. a boundary event now attached to it): the case cannot have taken that way;
- any task already passed on an element the new version removes: stored state names each task's
  element, and the new version could not load it;
- a running called process or subprocess the new version no longer includes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from copy import deepcopy
from dataclasses import dataclass, field, replace
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask
from SpiffWorkflow.util.task import TaskState

from app.engine import serialization
from app.engine.definitions import Bundle
from app.engine.runtime import Directory, StepResult, _engine, _restore, _result, _run


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
    "inputs": "flows", "outputs": "flows", "bpmn_name": "name", "bpmn_id": "id", "lane": "lane",
    "extensions": "properties", "script": "script", "prescript": "script", "postscript": "script",
    "event_definition": "event", "cancel_activity": "event", "typename": "type", "manual": "type",
    "decision_id": "decision", "cond_task_specs": "conditions", "default_task_spec": "conditions",
    "choice": "conditions", "data_input_associations": "data", "data_output_associations": "data",
    "io_specification": "data", "documentation": "documentation", "spec": "called process",
    "cardinality": "instances", "condition": "instances", "data_input": "instances",
    "data_output": "instances", "input_item": "instances", "output_item": "instances", "task_spec": "instances",
}
_IGNORED = {"name", "description", "lookahead"}  # the spec's key, type label and engine tuning
_FLOWS = {"inputs", "outputs"}
_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PASSED = TaskState.COMPLETED | TaskState.ERROR | TaskState.CANCELLED
_STANDING = {TaskState.READY: "ready", TaskState.WAITING: "waiting", TaskState.STARTED: "running"}


def _standing(task) -> str:
    if task.state in _STANDING:
        return _STANDING[task.state]
    return "passed" if task.has_state(_PASSED) else "ahead"


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


@dataclass(frozen=True)
class Blocker:
    """Why a case cannot move: the element, how the case stands there, and what the new version does."""

    element: Element
    standing: str  # ready | waiting | running | passed | ahead (predicted, not reached yet)
    reason: str  # removed | changed | rerouted | process_dropped | unloadable
    attributes: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True)
class Standing:
    """Where the case waits now, and the element of the new version it would wait at."""

    element: Element
    state: str  # ready | waiting | running
    moves_to: Element | None


@dataclass(frozen=True)
class Plan:
    """What migrating one case would do."""

    standing: tuple[Standing, ...]
    ahead: tuple[Element, ...]  # added or changed elements the case may still reach
    skipped: tuple[Element, ...]  # added elements it has already gone past: they will not run for it
    blockers: tuple[Blocker, ...]

    @property
    def can_migrate(self) -> bool:
        return not self.blockers


class MigrationRefused(RuntimeError):
    """The case cannot move to the new version; ``blockers`` say why."""

    def __init__(self, blockers: Iterable[Blocker]) -> None:
        self.blockers = tuple(blockers)
        super().__init__("; ".join(f"{b.element.id}: {b.reason}" for b in self.blockers))


def _element(spec, process: str) -> Element:
    bpmn_id = getattr(spec, "bpmn_id", None)
    return Element(id=bpmn_id or spec.name, name=getattr(spec, "bpmn_name", None) or bpmn_id or spec.name,
                   kind=type(spec).__name__, process=process, visible=bpmn_id is not None)


def _attributes(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_ATTRIBUTES.get(k, k) for k in keys if k not in _IGNORED))


@dataclass
class _Diffs:
    """The spec diffs of one pair of bundles: the top process and each called process or subprocess."""

    old: Bundle
    new: Bundle
    top: SpecDiff
    dependencies: dict[str, SpecDiff | None] = field(default_factory=dict)


_diffs_lock = threading.Lock()
_DIFFS: OrderedDict[tuple[str, str], _Diffs] = OrderedDict()


def _diffs(old: Bundle, new: Bundle) -> _Diffs:
    """Diffs are per pair of versions: computed once for a whole batch of cases."""
    key = (old.content_hash, new.content_hash)
    with _diffs_lock:
        found = _DIFFS.get(key)
    if found is not None and found.old is old and found.new is new:  # a rebuilt bundle has new spec objects
        return found
    found = _Diffs(old, new, SpecDiff(_REGISTRY, old.spec, new.spec), {
        name: SpecDiff(_REGISTRY, spec, new.subprocess_specs[name]) if name in new.subprocess_specs else None
        for name, spec in old.subprocess_specs.items()})
    with _diffs_lock:
        _DIFFS[key] = found
        while len(_DIFFS) > 32:
            _DIFFS.popitem(last=False)
    return found


def _spec_changes(process: str, diff: SpecDiff) -> SpecChanges:
    def shown(specs) -> tuple[Element, ...]:
        return tuple(e for e in (_element(s, process) for s in specs) if e.visible)

    changed = []
    for spec, keys in diff.changed.items():
        element, attributes = _element(spec, process), _attributes(keys)
        if element.visible and attributes:
            changed.append(Changed(element, attributes))
    return SpecChanges(process, added=shown(diff.added), removed=shown(diff.removed),
                       changed=tuple(sorted(changed, key=lambda c: c.element.id)))


def spec_changes(old: Bundle, new: Bundle) -> list[SpecChanges]:
    """What the new version changes, process by process (the top process first)."""
    diffs = _diffs(old, new)
    found = [_spec_changes(old.process_id, diffs.top)]
    for name, diff in sorted(diffs.dependencies.items()):
        found.append(SpecChanges(name, dropped=True) if diff is None else _spec_changes(name, diff))
    found += [SpecChanges(name, new=True) for name in sorted(set(new.subprocess_specs) - set(old.subprocess_specs))]
    return [c for c in found if not c.empty or c.process == old.process_id]


def _blockers_in(workflow, diff: SpecDiff, process: str) -> list[Blocker]:
    removed, changed = set(diff.removed), diff.changed
    found: list[Blocker] = []
    for task in workflow.get_tasks(skip_subprocesses=True):
        spec = task.task_spec
        live = task.has_state(_LIVE)
        if spec in removed and (live or task.has_state(_PASSED)):
            found.append(Blocker(_element(spec, process), _standing(task), "removed"))
        elif live and spec in changed:
            keys = set(changed[spec]) - _IGNORED
            if task.state == TaskState.STARTED or keys - _FLOWS:
                found.append(Blocker(_element(spec, process), _standing(task), "changed",
                                     _attributes(keys - _FLOWS) or _attributes(keys)))
            elif "inputs" in keys and not _reached_the_same_way(task, diff):
                found.append(Blocker(_element(spec, process), _standing(task), "rerouted"))
    return found


def _reached_the_same_way(task, diff: SpecDiff) -> bool:
    """Whether the element before the task in this case still leads to it in the new version."""
    parent = task.parent
    if parent is None:
        return True
    new_spec, new_parent = diff.alignment.get(task.task_spec), diff.alignment.get(parent.task_spec)
    return new_spec is not None and new_parent is not None and new_parent in new_spec.inputs


def _blockers(workflow: BpmnWorkflow, diffs: _Diffs) -> list[Blocker]:
    found = _blockers_in(workflow, diffs.top, diffs.old.process_id)
    for sp_id, sub in workflow.subprocesses.items():
        name = sub.spec.name
        diff = diffs.dependencies.get(name)
        if diff is None:
            caller = workflow.get_task_from_id(sp_id)
            found.append(Blocker(_element(caller.task_spec, diffs.old.process_id) if caller else
                                 Element(name, name, "CallActivity", name), "running", "process_dropped",
                                 detail=name))
        else:
            found += _blockers_in(sub, diff, name)
    return found


def _reachable(specs: Iterable[Any]) -> set[Any]:
    seen: set[Any] = set()
    todo = list(specs)
    while todo:
        spec = todo.pop()
        if spec in seen:
            continue
        seen.add(spec)
        todo += spec.outputs
        child = getattr(spec, "task_spec", None)  # a multi-instance task's inner task
        if isinstance(child, str) and child in spec._wf_spec.task_specs:
            todo.append(spec._wf_spec.task_specs[child])
    return seen


def _standings(workflow: BpmnWorkflow, diffs: _Diffs) -> list[Standing]:
    """Where the case waits: its live tasks, in the top process and in each running subprocess."""
    found = []
    parts = [(diffs.old.process_id, workflow, diffs.top)]
    parts += [(s.spec.name, s, diffs.dependencies.get(s.spec.name)) for s in workflow.subprocesses.values()]
    for process, sub, diff in parts:
        for task in sub.get_tasks(state=_LIVE, skip_subprocesses=True):
            moves_to = diff.alignment.get(task.task_spec) if diff is not None else None
            element = _element(task.task_spec, process)
            if element.visible:
                found.append(Standing(element, _STANDING[task.state],
                                      _element(moves_to, process) if moves_to is not None else None))
    return found


def _plan(workflow: BpmnWorkflow, diffs: _Diffs) -> Plan:
    process = diffs.old.process_id
    live = list(workflow.get_tasks(state=_LIVE, skip_subprocesses=True))
    ahead_specs = _reachable(m for m in (diffs.top.alignment.get(t.task_spec) for t in live) if m is not None)
    changed_new = {diffs.top.alignment[s] for s in diffs.top.changed if diffs.top.alignment.get(s) is not None}
    ahead, skipped = [], []
    for spec in diffs.new.spec.task_specs.values():
        element = _element(spec, process)
        if not element.visible:
            continue
        if spec in ahead_specs and (spec in changed_new or spec in diffs.top.added):
            ahead.append(element)
        elif spec in diffs.top.added and spec not in ahead_specs:
            skipped.append(element)
    return Plan(tuple(_standings(workflow, diffs)), tuple(sorted(ahead, key=lambda e: e.id)),
                tuple(sorted(skipped, key=lambda e: e.id)), tuple(_blockers(workflow, diffs)))


def _move(workflow: BpmnWorkflow, diffs: _Diffs) -> None:
    """Re-point the workflow (and each running subprocess) at the new specs, keeping what the reset
    of ready and waiting tasks would lose: their data, and a waiting timer's due time."""
    kept = {task.id: (task.state, deepcopy(task.data), deepcopy(task.internal_data))
            for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)}
    migrate_workflow(WorkflowDiff(workflow, diffs.top), workflow, diffs.new.spec)
    for sub in workflow.subprocesses.values():
        name = sub.spec.name
        migrate_workflow(WorkflowDiff(sub, diffs.dependencies[name]), sub, diffs.new.subprocess_specs[name])
    workflow.subprocess_specs = diffs.new.subprocess_specs
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
        if task.id in kept and kept[task.id][0] == task.state:
            _state, task.data, task.internal_data = kept[task.id]


def _foreign_tasks(workflow: BpmnWorkflow, new: Bundle) -> list[Blocker]:
    """Tasks still on an element the new version does not have (a migration that cannot be stored)."""
    found = []
    for process, sub in [(new.process_id, workflow), *((s.spec.name, s) for s in workflow.subprocesses.values())]:
        spec = new.spec if sub is workflow else new.subprocess_specs.get(process)
        known = set(spec.task_specs.values()) if spec is not None else set()
        for task in sub.get_tasks(skip_subprocesses=True):
            if task.task_spec not in known:
                found.append(Blocker(_element(task.task_spec, process), _standing(task), "removed"))
    return found


def _unloadable(new: Bundle, exc: Exception) -> MigrationRefused:
    return MigrationRefused([Blocker(Element(new.process_id, new.name, "Process", new.process_id), "running",
                                     "unloadable", detail=str(exc).split("\n")[0] or type(exc).__name__)])


def _moved(workflow: BpmnWorkflow, diffs: _Diffs) -> None:
    """Migrate the workflow and make sure the new version loads it back; refused (``MigrationRefused``)
    otherwise, whatever the library raised on the way (the stored case is left as it is)."""
    try:
        _move(workflow, diffs)
    except Exception as exc:
        raise _unloadable(diffs.new, exc) from exc
    foreign = _foreign_tasks(workflow, diffs.new)
    if foreign:
        raise MigrationRefused(foreign)
    try:
        serialization.load(serialization.dump(workflow), diffs.new)
    except Exception as exc:
        raise _unloadable(diffs.new, exc) from exc


def plan(old: Bundle, new: Bundle, state: str) -> Plan:
    """What migrating the case stored as ``state`` from ``old`` to ``new`` would do; changes nothing.

    A case with no blocker is also migrated for trial on its own copy, and refused if the result
    would not load back."""
    diffs = _diffs(old, new)
    workflow = serialization.load(state, old)  # a copy of its own: the workflow cache is left alone
    found = _plan(workflow, diffs)
    if found.blockers:
        return found
    try:
        _moved(workflow, diffs)
    except MigrationRefused as exc:
        return replace(found, blockers=exc.blockers)
    return found


def migrate(old: Bundle, new: Bundle, state: str, directory: Directory | None = None) -> StepResult:
    """Move the case stored as ``state`` onto ``new`` and run on (normally nothing is due to run: its
    ready tasks stay ready); refused (``MigrationRefused``) if ``plan`` finds a blocker.

    The workflow is taken out of the cache before it changes, and the result is cached under the new
    state only, so no step ever finds the old workflow for the new state or the reverse."""
    diffs = _diffs(old, new)
    workflow, _engine_of_old = _restore(old, state)
    blockers = _blockers(workflow, diffs)
    if blockers:
        raise MigrationRefused(blockers)
    _moved(workflow, diffs)
    engine = _engine(new, directory)
    workflow.script_engine = engine
    path = _run(workflow, None)
    return _result(workflow, new, engine, path)


def listing(bundle: Bundle, state: str) -> StepResult:
    """The ready tasks, waiting timers and data of the case stored as ``state``, running nothing
    (what a rolled-back case's projections are rebuilt from)."""
    workflow, engine = _restore(bundle, state)
    return replace(_result(workflow, bundle, engine, []), state=state)
