"""Decision tests (决策表测试用例): cases of inputs and expected outputs kept beside each DMN file as
``<file>.tests.json``, run by ``flask workflows validate``, on the designer's page, and before every
deployment — a failing case blocks the deployment, naming the file and the case.

A file holds ``{"decision": id, "cases": [{"name", "inputs", "expected"}]}``. ``expected`` names only the
outputs it checks; for a multiple-hit table it is the list of results in order (each naming what it
checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import engine
from app.engine.dmn import Decision, DmnError, load_dmn

SUFFIX = ".tests.json"


@dataclass(frozen=True)
class CaseResult:
    file: str  # the tests file
    name: str
    ok: bool
    message: str


def tests_file(dmn_name: str) -> str:
    return dmn_name[: -len(".dmn")] + SUFFIX if dmn_name.endswith(".dmn") else dmn_name + SUFFIX


def _matches(expected: Any, got: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and _matches(v, got[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(expected) == len(got)
            and all(_matches(e, g) for e, g in zip(expected, got, strict=True))
        )
    if isinstance(expected, int | float) and not isinstance(expected, bool) and isinstance(got, int | float):
        return abs(float(expected) - float(got)) < 1e-9
    return expected == got


def run(dmn_name: str, xml: str, text: str) -> list[CaseResult]:
    """Run the cases of one tests file against the table ``xml``."""
    name = tests_file(dmn_name)
    try:
        spec = json.loads(text)
        decision = load_dmn(xml, dmn_name).decisions[spec["decision"]]
        cases = spec["cases"]
    except json.JSONDecodeError as exc:
        return [CaseResult(name, "-", False, f"not valid JSON at line {exc.lineno}: {exc.msg}")]
    except RecursionError:
        return [CaseResult(name, "-", False, "not valid JSON: nested too deeply")]
    except (KeyError, TypeError) as exc:
        return [
            CaseResult(name, "-", False, f"needs a decision the file defines and a list of cases ({exc})")
        ]
    except DmnError as exc:
        return [CaseResult(name, "-", False, f"the table cannot be loaded: {exc}")]
    if not isinstance(cases, list):
        return [CaseResult(name, "-", False, '"cases" must be a list of cases')]
    results = []
    with engine.bounded_checks():  # the table's cells, over every case, end within the check's seconds
        for number, case in enumerate(cases, 1):
            try:
                results.append(_run_case(name, decision, case, number))
            except RecursionError:  # parsed, but too deep to evaluate, compare or print
                results.append(
                    CaseResult(name, _label(case, number), False, "the case is nested too deeply to run")
                )
    return results


def _label(case: Any, number: int) -> str:
    named = case.get("name") if isinstance(case, dict) else None
    return named if isinstance(named, str) and named else f"case {number}"


def _run_case(name: str, decision: Decision, case: Any, number: int) -> CaseResult:
    label = _label(case, number)
    if not isinstance(case, dict) or not isinstance(case.get("inputs") or {}, dict):
        return CaseResult(
            name, label, False, 'a case must be an object with "inputs" (an object) and "expected"'
        )
    try:
        got = decision.evaluate(case.get("inputs") or {}).output
    except DmnError as exc:
        return CaseResult(name, label, False, f"the table failed: {exc}")
    ok = _matches(case.get("expected"), got)
    message = (
        ""
        if ok
        else f"expected {json.dumps(case.get('expected'), ensure_ascii=False)}, "
        f"got {json.dumps(got, ensure_ascii=False, default=str)}"
    )
    return CaseResult(name, label, ok, message)


def run_dir(dmn_files: dict[str, str], rules_dir: Path) -> list[CaseResult]:
    """The results of every tests file kept beside the DMN files given."""
    results = []
    for dmn_name, xml in sorted(dmn_files.items()):
        path = rules_dir / tests_file(dmn_name)
        if path.is_file():
            results += run(dmn_name, xml, path.read_text(encoding="utf-8"))
    return results


def problems(dmn_files: dict[str, str], rules_dir: Path) -> list[engine.Problem]:
    """Each failing case as a problem that blocks a deployment."""
    return [
        engine.Problem(r.file, r.name, None, f"decision test failed: {r.message}")
        for r in run_dir(dmn_files, rules_dir)
        if not r.ok
    ]
