"""Check a process bundle before it is deployed: nothing that would fail or escape runs.

Every problem names the file, the element id, the line in the file and the reason, so a
designer (or ``flask workflows validate``) can go straight to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.engine import moddle, sandbox
from app.engine.definitions import FORM_PROPERTY, DefinitionError, load_decisions, parse_process
from app.engine.dmn import DmnError, load_dmn, validate_dmn
from app.engine.xml import UnsafeXmlError, parse_xml, source_lines

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"


@dataclass(frozen=True)
class Problem:
    filename: str
    element_id: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line}" if self.line else self.filename
        return f"{where}: {self.element_id + ': ' if self.element_id else ''}{self.message}"


def _sandbox_problems(filename, element_id, line, source, *, script: bool) -> list[Problem]:
    check = sandbox.check_script if script else sandbox.check_expression
    problems = []
    for violation in check(source):
        where = (
            f" (line {violation.line} of the {'script' if script else 'expression'})"
            if violation.line
            else ""
        )
        problems.append(Problem(filename, element_id, line, f"{violation.reason}{where}"))
    return problems


def _code_problems(filename: str, root) -> list[Problem]:
    """Scripts, conditions and timer expressions, read straight from the XML."""
    problems: list[Problem] = []
    ns = {"bpmn": BPMN_NS, "spiff": SPIFF_NS}
    for script in root.iterfind(".//bpmn:scriptTask/bpmn:script", ns):
        task = script.getparent()
        problems += _sandbox_problems(
            filename, task.get("id"), script.sourceline, script.text or "", script=True
        )
    for tag in ("preScript", "postScript"):
        for script in root.iterfind(f".//spiff:{tag}", ns):
            owner = script.getparent().getparent()
            problems += _sandbox_problems(
                filename, owner.get("id"), script.sourceline, script.text or "", script=True
            )
    for condition in root.iterfind(".//bpmn:sequenceFlow/bpmn:conditionExpression", ns):
        flow = condition.getparent()
        problems += _sandbox_problems(
            filename, flow.get("id"), condition.sourceline, (condition.text or "").strip(), script=False
        )
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for timer in root.iterfind(f".//bpmn:timerEventDefinition/bpmn:{tag}", ns):
            event = timer.getparent().getparent()
            problems += _sandbox_problems(
                filename, event.get("id"), timer.sourceline, (timer.text or "").strip(), script=False
            )
    return problems


def _modeler_problems(filename: str, issues: list[moddle.Issue]) -> list[Problem]:
    """What the modeler (bpmn-js, dmn-js) would refuse, drop or not draw: ids used twice or malformed,
    unknown or misplaced elements, references naming nothing or the wrong kind of element, flow elements
    without their shape or edge (``app.engine.moddle``)."""
    return [Problem(filename, issue.element_id, issue.line, issue.message) for issue in issues]


def dmn_problems(xml: str, filename: str) -> list[Problem]:
    """Every problem of one DMN file, as validation problems."""
    problems = [Problem(p.filename, p.element_id, p.line, p.message) for p in validate_dmn(xml, filename)]
    try:
        root = parse_xml(xml, filename)
    except UnsafeXmlError:
        return problems  # the DMN reader has said why
    return problems + _modeler_problems(filename, moddle.dmn_issues(root))


def decision_files(dmn_files: Mapping[str, str], called: set[str]) -> dict[str, str]:
    """The DMN files a process needs: those defining a decision it calls (a decision's required
    decisions live in its own file). A file that does not load is kept if it mentions a called
    id, so its problems are reported rather than silently left out."""
    chosen: dict[str, str] = {}
    for name, xml in sorted(dmn_files.items()):
        try:
            defines = set(load_dmn(xml, name).decisions)
        except (DmnError, UnsafeXmlError, ValueError):
            defines = {d for d in called if f'"{d}"' in xml}
        if defines & called:
            chosen[name] = xml
    return chosen


def references(bpmn_xml: str, filename: str) -> tuple[set[str], set[str]]:
    """The decision ids and form file names a BPMN file refers to."""
    root = parse_xml(bpmn_xml, filename)
    decisions = {el.text.strip() for el in root.iter(f"{{{SPIFF_NS}}}calledDecisionId") if el.text}
    forms = {
        el.get("value")
        for el in root.iter(f"{{{SPIFF_NS}}}property")
        if el.get("name") == FORM_PROPERTY and el.get("value")
    }
    return decisions, forms


def called_processes(bpmn_xml: str, filename: str) -> set[str]:
    """The process ids a BPMN file's call activities call."""
    root = parse_xml(bpmn_xml, filename)
    return {
        el.get("calledElement") for el in root.iter(f"{{{BPMN_NS}}}callActivity") if el.get("calledElement")
    }


def process_ids(bpmn_xml: str, filename: str) -> set[str]:
    """The executable process ids a BPMN file defines."""
    root = parse_xml(bpmn_xml, filename)
    return {el.get("id") for el in root.iter(f"{{{BPMN_NS}}}process") if el.get("isExecutable") == "true"}


def validate_bundle(
    bpmn_file: str,
    bpmn_xml: str,
    dmn_files: Mapping[str, str],
    forms: Mapping[str, dict],
    known_groups: Iterable[str] | None = None,
    called_files: Mapping[str, str] | None = None,
) -> list[Problem]:
    """Every problem with this BPMN, the processes it calls and the DMN and forms deployed with it
    (empty: deployable)."""
    files = {bpmn_file: bpmn_xml, **(called_files or {})}
    roots = {}
    for name, xml in files.items():
        try:
            roots[name] = parse_xml(xml, name)
        except UnsafeXmlError as exc:
            return [Problem(name, None, exc.line, exc.reason)]
    problems: list[Problem] = []
    for name, root in roots.items():
        problems += _modeler_problems(name, moddle.bpmn_issues(root)) + _code_problems(name, root)

    for name, xml in sorted(dmn_files.items()):
        problems += dmn_problems(xml, name)
    decision_ids: set[str] | None = None  # None: the DMN files did not load, so calls cannot be checked
    if not any(p.filename in dmn_files for p in problems):
        try:
            decision_ids = set(load_decisions(dmn_files))
        except (DefinitionError, DmnError) as exc:
            problems.append(
                Problem(getattr(exc, "filename", "?"), getattr(exc, "element_id", None), None, str(exc))
            )

    defined = {pid for name, xml in files.items() for pid in process_ids(xml, name)}
    for name, root in roots.items():
        problems += _reference_problems(name, root, decision_ids, forms, known_groups, defined)
    if not problems:
        try:
            parse_process(bpmn_file, bpmn_xml, called_files=called_files)
        except DefinitionError as exc:
            line = exc.line or source_lines(roots.get(exc.filename, roots[bpmn_file])).get(
                exc.element_id or ""
            )
            problems.append(Problem(exc.filename, exc.element_id, line, exc.reason))
    return problems


def _reference_problems(
    filename: str,
    root,
    decision_ids: set[str] | None,
    forms: Mapping[str, dict],
    known_groups: Iterable[str] | None,
    defined: set[str],
) -> list[Problem]:
    """Decisions, forms, lanes and called processes one BPMN file refers to that do not exist."""
    problems: list[Problem] = []
    ns = {"bpmn": BPMN_NS, "spiff": SPIFF_NS}
    for task in root.iterfind(".//bpmn:businessRuleTask", ns):
        ref = task.find(".//spiff:calledDecisionId", ns)
        called = ref.text.strip() if ref is not None and ref.text else None
        if not called:
            problems.append(Problem(filename, task.get("id"), task.sourceline, "no calledDecisionId"))
        elif decision_ids is not None and called not in decision_ids:
            problems.append(
                Problem(
                    filename,
                    task.get("id"),
                    task.sourceline,
                    f"calls decision {called!r}, which no deployed DMN file defines",
                )
            )
    for task in root.iterfind(".//bpmn:userTask", ns):
        form = next(
            (
                p.get("value")
                for p in task.iterfind(".//spiff:property", ns)
                if p.get("name") == FORM_PROPERTY
            ),
            None,
        )
        if not form:
            problems.append(
                Problem(
                    filename, task.get("id"), task.sourceline, f"user task has no {FORM_PROPERTY} property"
                )
            )
        elif form not in forms:
            problems.append(
                Problem(filename, task.get("id"), task.sourceline, f"form {form!r} does not exist")
            )
    for call in root.iterfind(".//bpmn:callActivity", ns):
        target = call.get("calledElement")
        if not target:
            problems.append(
                Problem(filename, call.get("id"), call.sourceline, "call activity names no process")
            )
        elif target not in defined:
            problems.append(
                Problem(
                    filename,
                    call.get("id"),
                    call.sourceline,
                    f"calls process {target!r}, which no file in workflows/ defines",
                )
            )
    if known_groups is not None:
        groups = set(known_groups)
        for lane in root.iterfind(".//bpmn:lane", ns):
            if lane.get("name") not in groups:
                problems.append(
                    Problem(
                        filename,
                        lane.get("id"),
                        lane.sourceline,
                        f"lane {lane.get('name')!r} is not a known group ({', '.join(sorted(groups))})",
                    )
                )
    return problems
