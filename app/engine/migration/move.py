"""Moving a case onto the new version: re-pointing its workflow at the new specs, and keeping the move
only when the result loads back onto the new version.

SpiffWorkflow's ``migrate_workflow`` re-points the task tree and resets the ready and waiting tasks, so
that what lies ahead of them is predicted from the new diagram; what the reset would lose (their data, a
waiting timer's due time) is put back. ``plan`` previews a move on a copy, ``migrate`` makes it and runs
on, ``listing`` reads a stored case without running anything.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from app.engine.definitions import Bundle
from app.engine.migration.compare import Diffs, Element, diffs_of, element_of
from app.engine.migration.preview import Blocker, MigrationRefused, Plan, blockers_of, plan_of, standing_of
from app.engine.runtime import Directory, StepResult, restore, run, script_engine, serialization, step_result


def _move(workflow: BpmnWorkflow, diffs: Diffs) -> None:
    """Re-point the workflow (and each running subprocess) at the new specs, keeping what the reset
    of ready and waiting tasks would lose: their data, and a waiting timer's due time."""
    kept = {
        task.id: (task.state, deepcopy(task.data), deepcopy(task.internal_data))
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    }
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
    for process, sub in [
        (new.process_id, workflow),
        *((s.spec.name, s) for s in workflow.subprocesses.values()),
    ]:
        spec = new.spec if sub is workflow else new.subprocess_specs.get(process)
        known = set(spec.task_specs.values()) if spec is not None else set()
        for task in sub.get_tasks(skip_subprocesses=True):
            if task.task_spec not in known:
                found.append(Blocker(element_of(task.task_spec, process), standing_of(task), "removed"))
    return found


def _unloadable(new: Bundle, exc: Exception) -> MigrationRefused:
    return MigrationRefused(
        [
            Blocker(
                Element(new.process_id, new.name, "Process", new.process_id),
                "running",
                "unloadable",
                detail=str(exc).split("\n")[0] or type(exc).__name__,
            )
        ]
    )


def _moved(workflow: BpmnWorkflow, diffs: Diffs) -> None:
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
    diffs = diffs_of(old, new)
    workflow = serialization.load(state, old)  # a copy of its own: the workflow cache is left alone
    found = plan_of(workflow, diffs)
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
    diffs = diffs_of(old, new)
    workflow, _engine_of_old = restore(old, state)
    blockers = blockers_of(workflow, diffs)
    if blockers:
        raise MigrationRefused(blockers)
    _moved(workflow, diffs)
    engine = script_engine(new, directory)
    workflow.script_engine = engine
    path = run(workflow, None)
    return step_result(workflow, new, engine, path)


def listing(bundle: Bundle, state: str) -> StepResult:
    """The ready tasks, waiting timers and data of the case stored as ``state``, running nothing
    (what a rolled-back case's projections are rebuilt from)."""
    workflow, engine = restore(bundle, state)
    return replace(step_result(workflow, bundle, engine, []), state=state)
