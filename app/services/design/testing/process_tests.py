"""Process tests (流程测试用例): scripted paths through a BPMN, kept beside it as ``workflows/<name>.tests.json``
and run — in memory, with no database row and no audit event — by ``flask workflows validate``, on the
designer's page, on every save of a draft and before every deployment: a failing case blocks the
deployment, naming the file and the case, like a failing decision test (``decision_tests``).

A file holds::

    {"process": "credit_application",             # the process id the cases run (the file's own)
     "members": {"committee": ["member1", "cro"]}, # optional: who members_of(group) and voters_of(group) answer
     "classes": {"91110000MA01ABCD2X": "substandard"}, # optional: what class_on_file(uscc) answers (else None)
     "circles": ["91110000MA01ABCD2X"],             # optional: whom circle_on_file(uscc) finds in a circle
     "crowded": ["real_estate"],                    # optional: industries concentration_over(industry, amount) finds full
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

Here the tests files are found, run and their results remembered; a file's and a case's shape are checked
in ``process_test_shape``, a case is played through the process in ``process_test_play``.
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
from app.services.design.testing.process_test_play import play
from app.services.design.testing.process_test_shape import CaseFailed, check_case, listed, shape_problem

SUFFIX = ".tests.json"


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


def tests_file(bpmn_name: str) -> str:
    return bpmn_name.removesuffix(".bpmn") + SUFFIX


# Results by (bundle content, tests text, locale): a deployment, a save and the designer's page re-run
# the same files over and over, and the same content always runs the same way.
_RESULTS: OrderedDict[tuple[str, str, str], list[CaseResult]] = OrderedDict()
_RESULTS_SIZE = 64


def run_text(
    bpmn_file: str,
    bpmn_xml: str,
    tests_text: str,
    dmn_files: Mapping[str, str],
    forms: Mapping[str, dict],
    called_files: Mapping[str, str] | None = None,
    locale: str = "en",
) -> list[CaseResult]:
    """Run the cases of one tests file against ``bpmn_xml`` with the DMN files, forms and called process
    files it is deployed with (pure: nothing is read or written but the texts given)."""
    name = tests_file(bpmn_file)
    try:
        spec = json.loads(tests_text)
    except json.JSONDecodeError as exc:
        return [
            CaseResult(name, "-", False, f"not valid JSON at line {exc.lineno}: {exc.msg}", line=exc.lineno)
        ]
    except RecursionError:
        return [CaseResult(name, "-", False, "not valid JSON: nested too deeply", line=1)]
    shape = shape_problem(spec)
    if shape:
        return [CaseResult(name, "-", False, shape, line=1)]
    try:
        defined = engine.process_ids(bpmn_xml, bpmn_file)
        if spec["process"] not in defined:
            return [
                CaseResult(
                    name,
                    "-",
                    False,
                    f"the cases are for the process {spec['process']!r}, which "
                    f"{bpmn_file} does not define (it defines: {listed(defined)})",
                    line=1,
                )
            ]
        bundle = engine.build_bundle(
            bpmn_file, bpmn_xml, dmn_files, forms, spec["process"], called_files or {}
        )
    except (DmnError, ValueError) as exc:  # engine.DefinitionError is a ValueError
        return [CaseResult(name, "-", False, f"the process {spec['process']!r} cannot be built: {exc}")]
    if (
        bundle.process_id != spec["process"]
    ):  # the engine keeps one bundle per content: the file's first process
        return [
            CaseResult(
                name,
                "-",
                False,
                f"only {bundle.process_id}, the first process of {bpmn_file}, can be tested",
                line=1,
            )
        ]
    key = (bundle.content_hash, hashlib.sha256(tests_text.encode()).hexdigest(), locale)
    cached = _RESULTS.get(key)
    if cached is not None:
        _RESULTS.move_to_end(key)
        return list(cached)
    with engine.bounded_checks():  # a tests file's scripts, together, end within the check's seconds
        results = [
            _run_case(name, bundle, spec, case, number, tests_text, locale)
            for number, case in enumerate(spec["cases"], 1)
        ]
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


def _run_case(
    file: str, bundle: engine.Bundle, spec: dict, case: Any, number: int, text: str, locale: str
) -> CaseResult:
    name = case.get("name") if isinstance(case, dict) else None
    label = name if isinstance(name, str) else f"case {number}"
    line = _line_of(text, case)
    try:
        check_case(bundle, case)
        play(bundle, spec, case, locale)
    except CaseFailed as failed:
        return CaseResult(
            file,
            label,
            False,
            failed.message,
            failed.step,
            failed.element,
            failed.expected,
            failed.actual,
            line,
        )
    except RecursionError:  # parsed, but too deep to compare or copy
        return CaseResult(file, label, False, "the case is nested too deeply to run", line=line)
    return CaseResult(file, label, True, "", line=line)


def _suites(candidates: Iterable[Candidate], workflows_dir: Path):
    """(tests file text, bpmn file, bpmn xml, dmn files, forms, called files) for each tests file kept beside
    a candidate's BPMN or beside a process it calls (each file once, with the first candidate carrying it)."""
    seen: set[str] = set()
    for candidate in candidates:
        if candidate.problems:
            continue  # reported as they are; its tests cannot run
        called = dict(candidate.called_files or {})
        files = [
            (candidate.bpmn_file, candidate.bpmn_xml, called),
            *[
                (name, xml, {n: x for n, x in called.items() if n != name})
                for name, xml in sorted(called.items())
            ],
        ]
        for bpmn_file, bpmn_xml, others in files:
            path = workflows_dir / tests_file(bpmn_file)
            if path.name in seen or not path.is_file():
                continue
            seen.add(path.name)
            yield (
                path.read_text(encoding="utf-8"),
                bpmn_file,
                bpmn_xml,
                candidate.dmn_files,
                candidate.forms,
                others,
            )


def run_dir(candidates: Iterable[Candidate], workflows_dir: Path, locale: str = "en") -> list[CaseResult]:
    """The results of every tests file kept beside the candidates' BPMN files (and the processes they call)."""
    results = []
    for text, bpmn_file, bpmn_xml, dmn_files, forms, called in _suites(candidates, workflows_dir):
        results += run_text(bpmn_file, bpmn_xml, text, dmn_files, forms, called, locale)
    return results


def problems(candidates: Iterable[Candidate], workflows_dir: Path) -> list[engine.Problem]:
    """Each failing case as a problem that blocks a deployment."""
    return [
        engine.Problem(r.file, None if r.name == "-" else r.name, r.line, f"process test failed: {r.message}")
        for r in run_dir(candidates, workflows_dir)
        if not r.ok
    ]
