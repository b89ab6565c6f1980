"""Deploying process definitions: validate, version, store, and find the bundle to run.

A deployment stores the BPMN with exactly the DMN files and forms it refers to, so an
instance keeps running on what it started with even after the files change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

from flask import current_app
from sqlalchemy import bindparam, func, select

from app import engine
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.forms import check_form_schema
from app.models import GROUPS, ProcessDefinition, User, UserGroup
from app.services.audit import audit
from app.services.design.forms import form_choices, form_offers
from app.services.design.forms.form_checks import CHECKS
from app.services.design.testing import decision_tests, process_tests
from app.services.shared.unit_of_work import unit_of_work


@dataclass(frozen=True)
class DeployOutcome:
    process_id: str
    version: int
    created: bool  # False: content unchanged, the latest version stands


class DeploymentRefused(InvalidInput):
    """Validation found problems; ``problems`` lists them (file, element, line, reason)."""

    def __init__(self, problems: list[engine.Problem]) -> None:
        super().__init__(
            "the files cannot be deployed",
            {f"{p.filename}:{p.element_id or ''}": p.message for p in problems},
        )
        self.problems = problems


def known_groups() -> set[str]:
    groups = set(GROUPS)
    groups.update(db.session.scalars(select(UserGroup.group_code).distinct()))
    return groups


def _read_dir(directory: Path, suffix: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.glob(f"*{suffix}"))}


def _load_forms(names: Iterable[str], forms_dir: Path) -> tuple[dict[str, dict], list[engine.Problem]]:
    forms, problems = {}, []
    for name in sorted(names):
        path = forms_dir / name
        if Path(name).name != name or not path.is_file():
            continue  # reported by the bundle validation as a missing form
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            problems.append(engine.Problem(name, None, exc.lineno, f"not valid JSON: {exc.msg}"))
            continue
        except RecursionError:
            problems.append(engine.Problem(name, None, None, "not valid JSON: nested too deeply"))
            continue
        problems += [engine.Problem(name, None, None, message) for message in check_form_schema(schema)]
        if not isinstance(schema, dict):
            continue  # reported above: the form must be a JSON object
        checks = schema.get("x-checks", [])
        if not isinstance(checks, list) or not all(isinstance(check, str) for check in checks):
            problems.append(engine.Problem(name, None, None, "x-checks: must be a list of check names"))
        else:
            problems += [
                engine.Problem(name, None, None, f"x-checks: no check named {check!r} ({', '.join(CHECKS)})")
                for check in checks
                if check not in CHECKS
            ]
        problems += [engine.Problem(name, None, None, message) for message in form_offers.problems(schema)]
        problems += [engine.Problem(name, None, None, message) for message in form_choices.problems(schema)]
        forms[name] = schema
    return forms, problems


@dataclass(frozen=True)
class Candidate:
    bpmn_file: str
    bpmn_xml: str
    dmn_files: dict[str, str]
    forms: dict[str, dict]
    problems: list[engine.Problem]
    called_files: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """Where the files to deploy are read: the configured directories, or an approved request's snapshot."""

    workflows: Path
    rules: Path
    forms: Path

    @classmethod
    def configured(cls) -> Source:
        config = current_app.config
        return cls(Path(config["WORKFLOWS_DIR"]), Path(config["RULES_DIR"]), Path(config["FORMS_DIR"]))


def _called_files(bpmn_file: str, bpmn_xml: str, workflows_dir: Path) -> dict[str, str]:
    """The files of workflows/ defining the processes ``bpmn_xml`` calls, and those they call in turn."""
    library = {p.name: p.read_text(encoding="utf-8") for p in sorted(workflows_dir.glob("*.bpmn"))}
    defines = {}
    for name, xml in library.items():
        try:
            defines.update({pid: name for pid in engine.process_ids(xml, name)})
        except ValueError:
            continue  # a broken file is reported when it is itself deployed or validated
    found: dict[str, str] = {}
    wanted = list(engine.called_processes(bpmn_xml, bpmn_file))
    while wanted:
        defining = defines.get(wanted.pop())  # the file defining the called process
        if defining and defining != bpmn_file and defining not in found:
            found[defining] = library[defining]
            wanted += engine.called_processes(found[defining], defining)
    return found


def prepare(
    bpmn_path: Path, dmn_files: dict[str, str], forms_dir: Path, workflows_dir: Path | None = None
) -> Candidate:
    """Gather and validate what deploying ``bpmn_path`` would store: with the DMN and forms it
    uses, the BPMN files of the processes it calls (and the DMN and forms those use)."""
    bpmn_xml = bpmn_path.read_text(encoding="utf-8")
    try:
        called = _called_files(
            bpmn_path.name, bpmn_xml, workflows_dir or Path(current_app.config["WORKFLOWS_DIR"])
        )
        decision_ids, form_names = engine.references(bpmn_xml, bpmn_path.name)
        for name, xml in called.items():
            more_decisions, more_forms = engine.references(xml, name)
            decision_ids, form_names = decision_ids | more_decisions, form_names | more_forms
    except ValueError as exc:
        return Candidate(
            bpmn_path.name, bpmn_xml, {}, {}, [engine.Problem(bpmn_path.name, None, None, str(exc))]
        )
    used_dmn = engine.decision_files(dmn_files, decision_ids)
    forms, problems = _load_forms(form_names, forms_dir)
    problems += engine.validate_bundle(bpmn_path.name, bpmn_xml, used_dmn, forms, known_groups(), called)
    return Candidate(bpmn_path.name, bpmn_xml, used_dmn, forms, problems, called)


def _top_level(paths: list[Path]) -> list[Path]:
    """The processes people start: a file whose processes are all called by another file's call
    activities is deployed inside each caller's definition instead (e.g. the compliance sign-off)."""
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    called: set[str] = set()
    for path, xml in texts.items():
        try:
            called |= engine.called_processes(xml, path.name)
        except ValueError:
            continue
    kept = []
    for path, xml in texts.items():
        try:
            defines = engine.process_ids(xml, path.name)
        except ValueError:
            defines = set()
        if not defines or not defines <= called:
            kept.append(path)
    return kept


def _split(paths: Iterable[Path], source: Source) -> tuple[list[Path], dict[str, str]]:
    paths = list(paths)
    bpmn = [p for p in paths if p.suffix == ".bpmn"] or _top_level(sorted(source.workflows.glob("*.bpmn")))
    named_dmn = {p.name: p.read_text(encoding="utf-8") for p in paths if p.suffix == ".dmn"}
    return bpmn, {**_read_dir(source.rules, ".dmn"), **named_dmn}


def validate_files(paths: Iterable[Path], source: Source | None = None) -> list[engine.Problem]:
    """Problems with the named BPMN/DMN files (or all of workflows/ and rules/)."""
    source = source or Source.configured()
    bpmn_paths, dmn_files = _split(paths, source)
    problems: list[engine.Problem] = []
    for name, xml in dmn_files.items():
        problems += engine.dmn_problems(xml, name)
    candidates = [prepare(path, dmn_files, source.forms, source.workflows) for path in bpmn_paths]
    for candidate in candidates:
        problems += [p for p in candidate.problems if p.filename not in dmn_files]
    return (
        problems
        + decision_tests.problems(dmn_files, source.rules)
        + process_tests.problems(candidates, source.workflows)
    )


def prepared(source: Source, process_id: str | None = None) -> list[Candidate]:
    """What deploying every process of ``source`` (or only the file defining ``process_id``) would store, each
    with its problems, without running the tests (what a deployment request changes, read for its approver)."""
    bpmn_paths, dmn_files = _split((), source)
    if process_id is not None:
        bpmn_paths = [p for p in bpmn_paths if process_id in _defines(p)]
    return [prepare(path, dmn_files, source.forms, source.workflows) for path in bpmn_paths]


def _defines(path: Path) -> set[str]:
    try:
        return engine.process_ids(path.read_text(encoding="utf-8"), path.name)
    except ValueError:
        return set()


def candidates_of(paths: Iterable[Path] = (), source: Source | None = None) -> list[Candidate]:
    """What deploying would store, checked: refused whole (DeploymentRefused) if any file has a problem or
    a decision or process test fails."""
    source = source or Source.configured()
    bpmn_paths, dmn_files = _split(paths, source)
    candidates = [prepare(path, dmn_files, source.forms, source.workflows) for path in bpmn_paths]
    problems = [p for c in candidates for p in c.problems]
    used = {name: xml for c in candidates for name, xml in c.dmn_files.items()}
    problems += decision_tests.problems(used, source.rules)  # a failing case blocks
    problems += process_tests.problems(candidates, source.workflows)  # and so does a failing path
    if problems:
        raise DeploymentRefused(problems)
    return candidates


def deploy_files(
    paths: Iterable[Path] = (),
    actor: User | None = None,
    note: str | None = None,
    source: Source | None = None,
) -> list[DeployOutcome]:
    """Deploy the BPMN files named (or all of workflows/), each with the DMN and forms it uses.

    All or nothing: if any file has a problem nothing is stored. One unit of work: inside a caller's unit
    (a deployment request that writes more), it is committed with that unit.
    """
    with unit_of_work():  # inside a caller's unit (a deployment request), committed with it
        outcomes = [_store(candidate, actor, note) for candidate in candidates_of(paths, source)]
    return outcomes


def _store(candidate: Candidate, actor: User | None, note: str | None) -> DeployOutcome:
    bundle = engine.build_bundle(
        candidate.bpmn_file,
        candidate.bpmn_xml,
        candidate.dmn_files,
        candidate.forms,
        called_files=candidate.called_files,
    )
    latest = latest_definition(bundle.process_id, required=False)
    if latest is not None and latest.content_hash == bundle.content_hash:
        return DeployOutcome(bundle.process_id, latest.version, created=False)
    version = (
        db.session.scalar(
            select(func.max(ProcessDefinition.version)).where(
                ProcessDefinition.process_id == bundle.process_id
            )
        )
        or 0
    ) + 1
    definition = ProcessDefinition(
        process_id=bundle.process_id,
        name=bundle.name,
        version=version,
        content_hash=bundle.content_hash,
        bpmn_file=candidate.bpmn_file,
        bpmn_xml=candidate.bpmn_xml,
        dmn_files=candidate.dmn_files,
        forms=candidate.forms,
        called_files=candidate.called_files,
        deployed_by_id=actor.id if actor else None,
        note=note,
    )
    db.session.add(definition)
    db.session.flush()
    audit.record(
        "definition.deployed",
        actor,
        process_id=bundle.process_id,
        version=version,
        content_hash=bundle.content_hash,
        files=[candidate.bpmn_file, *candidate.called_files, *candidate.dmn_files],
        note=note,
    )
    return DeployOutcome(bundle.process_id, version, created=True)


_LATEST = (
    select(ProcessDefinition)
    .where(ProcessDefinition.process_id == bindparam("process_id"))
    .order_by(ProcessDefinition.version.desc())
    .limit(1)
)


@overload
def latest_definition(process_id: str, required: Literal[True] = True) -> ProcessDefinition: ...
@overload
def latest_definition(process_id: str, required: bool) -> ProcessDefinition | None: ...
def latest_definition(process_id: str, required: bool = True) -> ProcessDefinition | None:
    """The latest deployed version of ``process_id``; refused as not found unless ``required`` is False."""
    definition = db.session.scalar(_LATEST, {"process_id": process_id})
    if definition is None and required:
        raise NotFound(f"process {process_id!r} is not deployed (run `flask workflows deploy`)")
    return definition


# Deployed definitions never change, so their bundles are kept by (row id, content hash): a step
# then neither re-reads nor re-hashes the files.
_BUNDLES: dict[tuple[int, str], engine.Bundle] = {}


def bundle_for(definition: ProcessDefinition) -> engine.Bundle:
    """The parsed, cached bundle of a deployed definition."""
    key = (definition.id, definition.content_hash)
    bundle = _BUNDLES.get(key)
    if bundle is None:
        bundle = engine.build_bundle(
            definition.bpmn_file,
            definition.bpmn_xml,
            definition.dmn_files,
            definition.forms,
            definition.process_id,
            definition.called_files or {},
        )
        if len(_BUNDLES) > 256:
            _BUNDLES.clear()
        _BUNDLES[key] = bundle
    return bundle
