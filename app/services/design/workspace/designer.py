"""The process designer's overview (流程设计): every deployed process with its versions (who, when,
note), every decision table in ``rules/`` with its decision tests and every process in ``workflows/`` with
its process tests, run now."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.errors import NotAuthorized
from app.extensions import db
from app.models import ProcessDefinition, User
from app.services.design.deployment import deployment
from app.services.design.testing import decision_tests, process_tests

DESIGNERS = {"designer", "admin"}


@dataclass(frozen=True)
class TableTests:
    dmn_file: str
    results: list[decision_tests.CaseResult]

    @property
    def failed(self) -> int:
        return sum(not r.ok for r in self.results)


@dataclass(frozen=True)
class ProcessTests:
    bpmn_file: str
    tests_file: str
    results: list[process_tests.CaseResult]
    has_tests: bool
    problems: int = 0  # the process's own problems: its tests cannot run until they are mended

    @property
    def failed(self) -> int:
        return sum(not r.ok for r in self.results)


def check_designer(user: User) -> None:
    if user.role not in DESIGNERS:
        raise NotAuthorized(_("The designer's workspace is for process designers."))


def versions(user: User) -> dict[str, list[ProcessDefinition]]:
    """Each deployed process's versions, newest first."""
    check_designer(user)
    found: dict[str, list[ProcessDefinition]] = {}
    for definition in db.session.scalars(
        select(ProcessDefinition).order_by(ProcessDefinition.process_id, ProcessDefinition.version.desc())
    ):
        found.setdefault(definition.process_id, []).append(definition)
    return found


def tables(user: User) -> list[TableTests]:
    """Every decision table in rules/ with the results of its tests (none: it has no tests file yet)."""
    check_designer(user)
    rules = Path(current_app.config["RULES_DIR"])
    found = []
    for path in sorted(rules.glob("*.dmn")):
        tests = rules / decision_tests.tests_file(path.name)
        results = (
            decision_tests.run(path.name, path.read_text(encoding="utf-8"), tests.read_text(encoding="utf-8"))
            if tests.is_file()
            else []
        )
        found.append(TableTests(path.name, results))
    return found


def process_suites(user: User) -> list[ProcessTests]:
    """Every process in workflows/ with the results of its tests file (none: it has no tests yet)."""
    check_designer(user)
    source = deployment.Source.configured()
    dmn_files = {p.name: p.read_text(encoding="utf-8") for p in sorted(source.rules.glob("*.dmn"))}
    locale = str(get_locale() or "en")
    found = []
    for path in sorted(source.workflows.glob("*.bpmn")):
        tests = source.workflows / process_tests.tests_file(path.name)
        if not tests.is_file():
            found.append(ProcessTests(path.name, tests.name, [], False))
            continue
        candidate = deployment.prepare(path, dmn_files, source.forms, source.workflows)
        results = (
            []
            if candidate.problems
            else process_tests.run_text(
                path.name,
                candidate.bpmn_xml,
                tests.read_text(encoding="utf-8"),
                candidate.dmn_files,
                candidate.forms,
                candidate.called_files,
                locale,
            )
        )
        found.append(ProcessTests(path.name, tests.name, results, True, len(candidate.problems)))
    return found
