"""What migrating one case would do, read from its workflow without changing it.

Where the case waits now and the element of the new version it would wait at, the added or changed
elements it may still reach, the added ones it has already gone past, and what blocks it (the rules are
in the package's docstring).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import SpecDiff
from SpiffWorkflow.util.task import TaskState

from app.engine.migration.compare import FLOWS, IGNORED, Diffs, Element, attribute_words, element_of

_LIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_PASSED = TaskState.COMPLETED | TaskState.ERROR | TaskState.CANCELLED
_STANDING = {TaskState.READY: "ready", TaskState.WAITING: "waiting", TaskState.STARTED: "running"}


def standing_of(task) -> str:
    """How the case stands at a task: ready, waiting, running, passed, or ahead (predicted)."""
    if task.state in _STANDING:
        return _STANDING[task.state]
    return "passed" if task.has_state(_PASSED) else "ahead"


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


def _blockers_in(workflow, diff: SpecDiff, process: str) -> list[Blocker]:
    removed, changed = set(diff.removed), diff.changed
    found: list[Blocker] = []
    for task in workflow.get_tasks(skip_subprocesses=True):
        spec = task.task_spec
        live = task.has_state(_LIVE)
        if spec in removed and (live or task.has_state(_PASSED)):
            found.append(Blocker(element_of(spec, process), standing_of(task), "removed"))
        elif live and spec in changed:
            keys = set(changed[spec]) - IGNORED
            if task.state == TaskState.STARTED or keys - FLOWS:
                found.append(
                    Blocker(
                        element_of(spec, process),
                        standing_of(task),
                        "changed",
                        attribute_words(keys - FLOWS) or attribute_words(keys),
                    )
                )
            elif "inputs" in keys and not _reached_the_same_way(task, diff):
                found.append(Blocker(element_of(spec, process), standing_of(task), "rerouted"))
    return found


def _reached_the_same_way(task, diff: SpecDiff) -> bool:
    """Whether the element before the task in this case still leads to it in the new version."""
    parent = task.parent
    if parent is None:
        return True
    new_spec, new_parent = diff.alignment.get(task.task_spec), diff.alignment.get(parent.task_spec)
    return new_spec is not None and new_parent is not None and new_parent in new_spec.inputs


def blockers_of(workflow: BpmnWorkflow, diffs: Diffs) -> list[Blocker]:
    """What keeps the case from moving, in the top process and in each running subprocess."""
    found = _blockers_in(workflow, diffs.top, diffs.old.process_id)
    for sp_id, sub in workflow.subprocesses.items():
        name = sub.spec.name
        diff = diffs.dependencies.get(name)
        if diff is None:
            caller = workflow.get_task_from_id(sp_id)
            found.append(
                Blocker(
                    element_of(caller.task_spec, diffs.old.process_id)
                    if caller
                    else Element(name, name, "CallActivity", name),
                    "running",
                    "process_dropped",
                    detail=name,
                )
            )
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


def _standings(workflow: BpmnWorkflow, diffs: Diffs) -> list[Standing]:
    """Where the case waits: its live tasks, in the top process and in each running subprocess."""
    found = []
    parts = [(diffs.old.process_id, workflow, diffs.top)]
    parts += [(s.spec.name, s, diffs.dependencies.get(s.spec.name)) for s in workflow.subprocesses.values()]
    for process, sub, diff in parts:
        for task in sub.get_tasks(state=_LIVE, skip_subprocesses=True):
            moves_to = diff.alignment.get(task.task_spec) if diff is not None else None
            element = element_of(task.task_spec, process)
            if element.visible:
                found.append(
                    Standing(
                        element,
                        _STANDING[task.state],
                        element_of(moves_to, process) if moves_to is not None else None,
                    )
                )
    return found


def plan_of(workflow: BpmnWorkflow, diffs: Diffs) -> Plan:
    """What migrating the case would do, read from its workflow (not tried: see ``move.plan``)."""
    process = diffs.old.process_id
    live = list(workflow.get_tasks(state=_LIVE, skip_subprocesses=True))
    ahead_specs = _reachable(m for m in (diffs.top.alignment.get(t.task_spec) for t in live) if m is not None)
    changed_new = {
        diffs.top.alignment[s] for s in diffs.top.changed if diffs.top.alignment.get(s) is not None
    }
    ahead, skipped = [], []
    for spec in diffs.new.spec.task_specs.values():
        element = element_of(spec, process)
        if not element.visible:
            continue
        if spec in ahead_specs and (spec in changed_new or spec in diffs.top.added):
            ahead.append(element)
        elif spec in diffs.top.added and spec not in ahead_specs:
            skipped.append(element)
    return Plan(
        tuple(_standings(workflow, diffs)),
        tuple(sorted(ahead, key=lambda e: e.id)),
        tuple(sorted(skipped, key=lambda e: e.id)),
        tuple(blockers_of(workflow, diffs)),
    )
