"""Process tests (流程测试用例): scripted paths through a BPMN, kept beside it as ``workflows/<name>.tests.json``
and run — in memory, with no database row and no audit event — by ``flask workflows validate``, on the
designer's page, on every save of a draft and before every deployment: a failing case blocks the
deployment, naming the file and the case, like a failing decision test (``decision_tests``).

A file holds::

    {"process": "credit_application",             # the process id the cases run (the file's own)
     "members": {"committee": ["member1", "cro"]}, # optional: who members_of(group) and voters_of(group) answer
     "classes": {"91110000MA01ABCD2X": "substandard"}, # optional: what class_on_file(uscc) answers (else None)
     "cases": [{
        "name": "Approved by the branch / 分行批准",
        "start_message": "early_warning",          # optional: start as this message starts it ...
        "start": {...},                            # ... with this payload; else the initial data
        "members": {...},                          # optional: overrides the file's members for this case
        "steps": [
          {"task": "application_intake", "data": {...}},    # a ready user task completed with form data
          {"task": "committee_vote", "assignee": "cro", "data": {...}},  # one instance of a multi-instance task
          {"timer": "signoff_overdue"},                     # a waiting timer fired now, whenever it is due
          {"message": "payment_received", "data": {...}},   # a message delivered to the event waiting for it
          {"message": "staffing_changed", "members": {...}} # any step: who the groups hold from this step on
        ],
        "expected": {"status": "completed",        # or "waiting"
                     "end": "end_approved",        # optional: the process's own end event reached
                     "ready": ["approval_signoff"],# optional: the user tasks waiting (each id once, any order)
                     "data": {"outcome": "approved"}}  # optional: a subset of the case's data
     }]}

Each step's data is checked against the task's form exactly as a submission is (``forms.accept``: types,
required fields, options, limits, x-validators) and a field the form lacks or shows read-only is refused,
so a case cannot pass on data nobody could enter. What needs the bank's records (a form's ``x-checks``,
options reserved for a group) is not checked here. A case fails at its first difference: the step (its
number, counted from 1, and the task, timer or message it names) with what was expected and what the
process did instead, or the end state.

A process a call activity calls is tested through its callers' deployments: its own tests file, if any,
runs with the files of the first caller that carries it.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from app import engine
from app.engine.dmn import DmnError
from app.errors import InvalidInput
from app.services.design.forms.forms import accept, writable_fields
from app.services.design.testing.decision_tests import _matches
from app.services.design.testing.process_test_shape import classes_problem, members_problem, shape_problem

SUFFIX = ".tests.json"
STATUSES = ("completed", "waiting")
STEP_KINDS = ("task", "timer", "message")


@dataclass(frozen=True)
class CaseResult:
    file: str  # the tests file
    name: str
    ok: bool
    message: str
    step: int | None = None  # the step that differed, counted from 1 (0: the start; None: the end state)
    element: str | None = None  # the task, timer or message that step names
    expected: str | None = None
    actual: str | None = None
    line: int | None = None  # of the case (or of a JSON error) in the tests file


class Candidate(Protocol):
    """What ``deployment.prepare`` gathers for one BPMN file (``deployment.Candidate``, a frozen dataclass:
    its members are read-only, so properties here)."""

    @property
    def bpmn_file(self) -> str: ...
    @property
    def bpmn_xml(self) -> str: ...
    @property
    def dmn_files(self) -> dict[str, str]: ...
    @property
    def forms(self) -> dict[str, dict]: ...
    @property
    def called_files(self) -> dict[str, str]: ...
    @property
    def problems(self) -> list: ...


class _Failed(Exception):
    def __init__(self, step: int | None, element: str | None, message: str, expected: str | None = None,
                 actual: str | None = None) -> None:
        super().__init__(message)
        self.step, self.element, self.message, self.expected, self.actual = step, element, message, expected, actual


def tests_file(bpmn_name: str) -> str:
    return bpmn_name.removesuffix(".bpmn") + SUFFIX


# Results by (bundle content, tests text, locale): a deployment, a save and the designer's page re-run
# the same files over and over, and the same content always runs the same way.
_RESULTS: OrderedDict[tuple[str, str, str], list[CaseResult]] = OrderedDict()
_RESULTS_SIZE = 64


def run_text(bpmn_file: str, bpmn_xml: str, tests_text: str, dmn_files: Mapping[str, str],
             forms: Mapping[str, dict], called_files: Mapping[str, str] | None = None,
             locale: str = "en") -> list[CaseResult]:
    """Run the cases of one tests file against ``bpmn_xml`` with the DMN files, forms and called process
    files it is deployed with (pure: nothing is read or written but the texts given)."""
    name = tests_file(bpmn_file)
    try:
        spec = json.loads(tests_text)
    except json.JSONDecodeError as exc:
        return [CaseResult(name, "-", False, f"not valid JSON at line {exc.lineno}: {exc.msg}", line=exc.lineno)]
    except RecursionError:
        return [CaseResult(name, "-", False, "not valid JSON: nested too deeply", line=1)]
    shape = shape_problem(spec)
    if shape:
        return [CaseResult(name, "-", False, shape, line=1)]
    try:
        defined = engine.process_ids(bpmn_xml, bpmn_file)
        if spec["process"] not in defined:
            return [CaseResult(name, "-", False, f"the cases are for the process {spec['process']!r}, which "
                                                 f"{bpmn_file} does not define (it defines: {_listed(defined)})",
                               line=1)]
        bundle = engine.build_bundle(bpmn_file, bpmn_xml, dmn_files, forms, spec["process"], called_files or {})
    except (DmnError, ValueError) as exc:  # engine.DefinitionError is a ValueError
        return [CaseResult(name, "-", False, f"the process {spec['process']!r} cannot be built: {exc}")]
    if bundle.process_id != spec["process"]:  # the engine keeps one bundle per content: the file's first process
        return [CaseResult(name, "-", False, f"only {bundle.process_id}, the first process of {bpmn_file}, can be "
                                             "tested", line=1)]
    key = (bundle.content_hash, hashlib.sha256(tests_text.encode()).hexdigest(), locale)
    cached = _RESULTS.get(key)
    if cached is not None:
        _RESULTS.move_to_end(key)
        return list(cached)
    with engine.bounded_checks():  # a tests file's scripts, together, end within the check's seconds
        results = [_run_case(name, bundle, spec, case, number, tests_text, locale)
                   for number, case in enumerate(spec["cases"], 1)]
    _RESULTS[key] = results
    if len(_RESULTS) > _RESULTS_SIZE:
        _RESULTS.popitem(last=False)
    return list(results)


def _line_of(text: str, case: Any) -> int | None:
    """The line of the case's name in the file (a case is found again by its name)."""
    name = case.get("name") if isinstance(case, dict) else None
    if not isinstance(name, str):
        return None
    at = text.find(json.dumps(name, ensure_ascii=False)[:-1])
    if at < 0:
        at = text.find(json.dumps(name)[:-1])
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _run_case(file: str, bundle: engine.Bundle, spec: dict, case: Any, number: int, text: str,
              locale: str) -> CaseResult:
    name = case.get("name") if isinstance(case, dict) else None
    label = name if isinstance(name, str) else f"case {number}"
    line = _line_of(text, case)
    try:
        _check_case(bundle, case)
        _play(bundle, spec, case, locale)
    except _Failed as failed:
        return CaseResult(file, label, False, failed.message, failed.step, failed.element, failed.expected,
                          failed.actual, line)
    except RecursionError:  # parsed, but too deep to compare or copy
        return CaseResult(file, label, False, "the case is nested too deeply to run", line=line)
    return CaseResult(file, label, True, "", line=line)


def _ids(bundle: engine.Bundle) -> tuple[set[str], set[str], set[str], set[str]]:
    events = engine.simulation_ids(bundle)
    return set(bundle.user_tasks), events["timers"], events["messages"], events["ends"]


def _listed(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids)) or "none"


def _check_case(bundle: engine.Bundle, case: Any) -> None:
    """Refuse a case the process cannot even be asked to run: a wrong shape, an element it lacks."""
    if not isinstance(case, dict):
        raise _Failed(None, None, "a case must be an object with steps and expected")
    steps, expected = case.get("steps", []), case.get("expected")
    if not isinstance(steps, list) or not isinstance(expected, dict) or not isinstance(case.get("start", {}), dict):
        raise _Failed(None, None, 'a case needs "steps" (a list), "expected" (an object) and, if any, "start" '
                                  "(an object)")
    members = members_problem(case.get("members", {})) or classes_problem(case.get("classes", {}))
    if members:
        raise _Failed(None, None, members)
    tasks, timers, messages, ends = _ids(bundle)
    start_message = case.get("start_message")
    if start_message is not None and not isinstance(start_message, str):
        raise _Failed(0, None, '"start_message" must name a message (a string)')
    if start_message is not None and start_message not in bundle.start_messages:
        raise _Failed(0, start_message, f"{bundle.process_id} does not start on the message {start_message!r} "
                                        f"(it starts on: {_listed(bundle.start_messages)})")
    for index, step in enumerate(steps, 1):
        kinds = [k for k in STEP_KINDS if isinstance(step, dict) and k in step]
        if len(kinds) != 1 or not isinstance(step.get("data", {}), dict):
            raise _Failed(index, None, f"step {index} must name exactly one of task, timer or message "
                                       "(and its data, if any, as an object)")
        kind = kinds[0]
        element = step[kind]
        assignee = step.get("assignee")
        if not isinstance(element, str) or not (assignee is None or isinstance(assignee, str)):
            raise _Failed(index, None, f"step {index}: the {kind} (and the assignee, if any) must be named by a "
                                       "string")
        members = members_problem(step.get("members", {}))
        if members:
            raise _Failed(index, element, f"step {index}: {members}")
        known = {"task": tasks, "timer": timers, "message": messages}[kind]
        if element not in known:
            what = {"task": "user task", "timer": "timer event", "message": "message a catch event waits for"}[kind]
            raise _Failed(index, str(element), f"step {index} names the {kind} {element!r}: {bundle.process_id} "
                                               f"has no such {what} ({kind}s: {_listed(known)})")
    status = expected.get("status")
    if status not in STATUSES:
        raise _Failed(None, None, f'expected "status" must be one of {", ".join(STATUSES)}')
    if not isinstance(expected.get("end", ""), str):
        raise _Failed(None, None, 'expected "end" must name an end event (a string)')
    if "end" in expected and expected["end"] not in ends:
        raise _Failed(None, expected["end"], f"expected end {expected['end']!r} is not an end event of "
                                             f"{bundle.process_id} (end events: {_listed(ends)})")
    ready = expected.get("ready", [])
    if not isinstance(ready, list) or not all(isinstance(t, str) for t in ready):
        raise _Failed(None, None, 'expected "ready" must be a list of user task ids')
    unknown = [t for t in ready if t not in tasks]
    if unknown:
        raise _Failed(None, None, f"expected ready {_listed(map(str, unknown))}: not user tasks of "
                                  f"{bundle.process_id} (user tasks: {_listed(tasks)})")


def _where(sim: engine.Simulation) -> str:
    """Where the instance is, in a few words."""
    if sim.completed:
        return f"the process completed at {sim.end or 'an end event'}"
    parts = [f"waiting: {_listed({t.spec_id for t in sim.ready_tasks()})}"]
    if sim.waiting_timers():
        parts.append(f"timers: {_listed(set(sim.waiting_timers()))}")
    if sim.waiting_messages():
        parts.append(f"messages: {_listed(set(sim.waiting_messages()))}")
    return "; ".join(parts)


def _directory(members: Mapping[str, Any], classes: Mapping[str, Any]) -> dict:
    """The directory functions answering from ``members`` as it stands when a script calls them (nobody has
    worked a simulated case, so every member may also decide it), and from ``classes`` (credit code → class on
    file; a customer not listed is new)."""
    def members_of(group: str) -> list[str]:
        return [str(m) for m in members.get(group, [])]

    def class_on_file(uscc: str | None) -> str | None:
        found = classes.get(uscc or "")
        return str(found) if found else None
    return {"members_of": members_of, "voters_of": members_of, "class_on_file": class_on_file}


def _play(bundle: engine.Bundle, spec: dict, case: dict, locale: str) -> None:
    members = {**spec.get("members", {}), **(case.get("members") or {})}
    classes = {**spec.get("classes", {}), **(case.get("classes") or {})}
    start = case.get("start") or {}
    try:
        sim = engine.Simulation(bundle, _directory(members, classes))
        if case.get("start_message"):
            sim.start_by_message(case["start_message"], start)
        else:
            sim.start(start)
    except Exception as exc:  # noqa: BLE001 — a designer's diagram may fail in any way: report it
        raise _Failed(0, case.get("start_message"), f"start: the process failed: {_reason(exc)}") from exc
    for index, step in enumerate(case.get("steps", []), 1):
        kind = next(k for k in STEP_KINDS if k in step)
        element = step[kind]
        where = f"step {index} ({kind} {element})"
        members.update(step.get("members") or {})  # someone joined or left a group before this step
        try:
            if kind == "task":
                _complete(sim, bundle, step, where, index, locale)
            elif kind == "timer" and not sim.fire_timer(element):
                raise _Failed(index, element, f"{where}: expected the timer to be waiting, but {_where(sim)}",
                              f"timer {element} waiting", _where(sim))
            elif kind == "message" and not sim.send_message(element, step.get("data") or {}):
                raise _Failed(index, element, f"{where}: expected an event waiting for the message, but {_where(sim)}",
                              f"message {element} awaited", _where(sim))
        except _Failed:
            raise
        except Exception as exc:  # noqa: BLE001
            raise _Failed(index, element, f"{where}: the process failed: {_reason(exc)}") from exc
    _check_end(sim, case["expected"])


def _reason(exc: Exception) -> str:
    if isinstance(exc, engine.EngineError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _complete(sim: engine.Simulation, bundle: engine.Bundle, step: dict, where: str, index: int,
              locale: str) -> None:
    task_id, assignee = step["task"], step.get("assignee")
    ready = [t for t in sim.ready_tasks() if t.spec_id == task_id and (assignee is None or t.assignee == assignee)]
    if not ready:
        wanted = f"{task_id} waiting" + (f" for {assignee}" if assignee else "")
        raise _Failed(index, task_id, f"{where}: expected {wanted}, but {_where(sim)}", wanted, _where(sim))
    task = ready[0]
    schema = bundle.forms.get(task.form or "")
    if schema is None:
        raise _Failed(index, task_id, f"{where}: the task has no form deployed with it ({task.form!r}), so "
                                      "nobody could complete it")
    data = step.get("data") or {}
    properties = schema.get("properties", {})
    refused = {k: ("read-only on the form" if k in properties else "not a field of the form")
               for k in data if k not in writable_fields(schema)}
    try:
        submitted = accept(schema, data, locale)
    except InvalidInput as exc:
        refused = {**exc.errors, **refused}
        submitted = None
    if refused:
        fields = "; ".join(f"{field}: {message}" for field, message in refused.items())
        raise _Failed(index, task_id, f"{where}: {task.form} refuses the data — {fields}", "the form accepts the data",
                      fields)
    assert submitted is not None  # accept refuses only with errors, raised above
    sim.complete(task.uuid, submitted)


def _difference(expected: Any, got: Any, path: str) -> tuple[str, Any, Any] | None:
    """The first key of ``expected`` the data does not match: (path, expected, got)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key, value in expected.items():
            if key not in got:
                return f"{path}.{key}", value, "nothing"
            found = _difference(value, got[key], f"{path}.{key}")
            if found:
                return found
        return None
    return None if _matches(expected, got) else (path, expected, got)


def _shown(value: Any) -> str:
    return value if value == "nothing" else json.dumps(value, ensure_ascii=False, default=str)


def _check_end(sim: engine.Simulation, expected: dict) -> None:
    status = "completed" if sim.completed else "waiting"
    if expected["status"] != status:
        raise _Failed(None, None, f"end state: expected the process {expected['status']}, but {_where(sim)}",
                      expected["status"], _where(sim))
    if "end" in expected and expected["end"] != sim.end:
        raise _Failed(None, expected["end"], f"end state: expected the end event {expected['end']}, "
                                             f"got {sim.end or 'none'}", expected["end"], sim.end)
    if "ready" in expected:
        wanted, got = sorted(set(expected["ready"])), sorted({t.spec_id for t in sim.ready_tasks()})
        if wanted != got:
            raise _Failed(None, None, f"end state: expected waiting {_listed(wanted)}, got {_listed(got)}",
                          _listed(wanted), _listed(got))
    if "data" in expected:
        difference = _difference(expected["data"], sim.data, "data")
        if difference:
            path, want, got = difference
            raise _Failed(None, path, f"end state: {path} expected {_shown(want)}, got {_shown(got)}",
                          _shown(want), _shown(got))


def _suites(candidates: Iterable[Candidate], workflows_dir: Path):
    """(tests file text, bpmn file, bpmn xml, dmn files, forms, called files) for each tests file kept beside
    a candidate's BPMN or beside a process it calls (each file once, with the first candidate carrying it)."""
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.problems:
            continue  # reported as they are; its tests cannot run
        called = dict(candidate.called_files or {})
        files = [(candidate.bpmn_file, candidate.bpmn_xml, called),
                 *[(name, xml, {n: x for n, x in called.items() if n != name}) for name, xml in sorted(called.items())]]
        for bpmn_file, bpmn_xml, others in files:
            path = workflows_dir / tests_file(bpmn_file)
            if path.name in seen or not path.is_file():
                continue
            seen.add(path.name)
            yield (path.read_text(encoding="utf-8"), bpmn_file, bpmn_xml, candidate.dmn_files, candidate.forms,
                   others)


def run_dir(candidates: Iterable[Candidate], workflows_dir: Path, locale: str = "en") -> list[CaseResult]:
    """The results of every tests file kept beside the candidates' BPMN files (and the processes they call)."""
    results = []
    for text, bpmn_file, bpmn_xml, dmn_files, forms, called in _suites(candidates, workflows_dir):
        results += run_text(bpmn_file, bpmn_xml, text, dmn_files, forms, called, locale)
    return results


def problems(candidates: Iterable[Candidate], workflows_dir: Path) -> list[engine.Problem]:
    """Each failing case as a problem that blocks a deployment."""
    return [engine.Problem(r.file, None if r.name == "-" else r.name, r.line, f"process test failed: {r.message}")
            for r in run_dir(candidates, workflows_dir) if not r.ok]
