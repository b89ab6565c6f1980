"""What changed between two versions of a process (设计版本比较): the BPMN elements added, removed or
changed (by id; the diagram's layout is ignored), and each decision table's rules added, removed or
changed (by rule id, with the cells before and after), and the forms that changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from lxml import etree
from sqlalchemy import select

from app.engine.xml import parse_xml
from app.errors import NotFound
from app.extensions import db
from app.models import ProcessDefinition, User
from app.services.design.workspace.designer import check_designer

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (id, before, after)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class VersionDiff:
    process_id: str
    before: ProcessDefinition
    after: (
        Any  # a deployed version (ProcessDefinition), or a pending request's (``deployment_review.Proposed``)
    )
    elements: Changes
    tables: dict[str, Changes]  # DMN file -> its rules' changes
    forms: Changes
    element_ids: dict[str, list[str]]  # "added", "removed", "changed" -> ids, for marking the diagrams


def _text(element) -> str:
    return etree.tostring(element, encoding="unicode", with_tail=False).strip()


def _elements(xml: str, name: str) -> dict[str, tuple[str, str]]:
    """Process elements by id: (label, their XML without the diagram)."""
    root = parse_xml(xml, name)
    found = {}
    for process in root.iter(f"{{{BPMN_NS}}}process"):
        for element in process.iter():
            if isinstance(element.tag, str) and element.get("id") and element is not process:
                label = f"{etree.QName(element).localname} {element.get('id')}" + (
                    f" ({element.get('name')})" if element.get("name") else ""
                )
                found[element.get("id")] = (label, _text(element))
    return found


def _rules(xml: str, name: str) -> dict[str, str]:
    root = parse_xml(xml, name)
    rules = {}
    for rule in root.iter("{*}rule"):
        cells = [
            (entry.findtext("{*}text") or "").strip()
            for entry in rule
            if etree.QName(entry).localname in ("inputEntry", "outputEntry")
        ]
        rules[rule.get("id")] = " | ".join(cells)
    return rules


def _compare(before: dict, after: dict, show=lambda v: v) -> Changes:
    changes = Changes(sorted(set(after) - set(before)), sorted(set(before) - set(after)))
    for key in sorted(set(before) & set(after)):
        if before[key] != after[key]:
            changes.changed.append((key, show(before[key]), show(after[key])))
    return changes


def diagram(user: User, process_id: str, version: int) -> str:
    """The BPMN of one version (the diff page draws both with bpmn-js)."""
    check_designer(user)
    definition = db.session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version
        )
    )
    if definition is None:
        raise NotFound(_("No version %(v)s of %(process)s.", v=version, process=process_id))
    return definition.bpmn_xml


def diff(user: User, process_id: str, version_a: int, version_b: int) -> VersionDiff:
    check_designer(user)
    found = {
        d.version: d
        for d in db.session.scalars(
            select(ProcessDefinition).where(
                ProcessDefinition.process_id == process_id,
                ProcessDefinition.version.in_((version_a, version_b)),
            )
        )
    }
    if version_a not in found or version_b not in found:
        raise NotFound(
            _("No versions %(a)s and %(b)s of %(process)s.", a=version_a, b=version_b, process=process_id)
        )
    return compare(process_id, found[version_a], found[version_b])


def compare(process_id: str, before: Any, after: Any) -> VersionDiff:
    """The diff of two versions; each has ``bpmn_xml``, ``bpmn_file``, ``dmn_files`` and ``forms``."""
    elements_before = _elements(before.bpmn_xml, before.bpmn_file)
    elements_after = _elements(after.bpmn_xml, after.bpmn_file)
    elements = _compare(
        {k: v[1] for k, v in elements_before.items()}, {k: v[1] for k, v in elements_after.items()}
    )
    labels = {**{k: v[0] for k, v in elements_before.items()}, **{k: v[0] for k, v in elements_after.items()}}
    ids = {
        "added": list(elements.added),
        "removed": list(elements.removed),
        "changed": [element_id for element_id, _before, _after in elements.changed],
    }
    elements.added = [labels[k] for k in elements.added]
    elements.removed = [labels[k] for k in elements.removed]
    tables = {}
    for name in sorted(set(before.dmn_files) | set(after.dmn_files)):
        rules_before = _rules(before.dmn_files[name], name) if name in before.dmn_files else {}
        rules_after = _rules(after.dmn_files[name], name) if name in after.dmn_files else {}
        change = _compare(rules_before, rules_after)
        if not change.empty:
            tables[name] = change
    forms = _compare(before.forms or {}, after.forms or {}, show=lambda _v: "")
    return VersionDiff(process_id, before, after, elements, tables, forms, ids)
