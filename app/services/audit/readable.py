"""Audit events and form submissions as people read them: each submitted field by its form's title and
its value as the form shows it (a choice by its label, a yes/no as 是/否, money with its unit), each step
and decision by its name in the deployed diagram or table, each person by name.

The audit log keeps codes (element ids, field names, user names) so that it stays exact and hashable;
this module is where they become words, for the case page's timeline, the case history (CSV and PDF)
and the auditor's search alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from app.engine.xml import parse_xml
from app.extensions import db
from app.formatting import figure
from app.forms.display import column_label, display_value
from app.forms.messages import ui_text
from app.forms.schema import Field, as_form_schema
from app.models import AuditEvent, ProcessDefinition, ProcessInstance, User
from app.services.approval.eligibility import COMMITTEE_LANE
from app.services.audit.audit import SYSTEM
from app.services.shared.bounded_cache import BoundedCache

FORM_PROPERTY = "formJsonSchemaFilename"


@dataclass(frozen=True)
class Entry:
    """One submitted field: its name (for links and tests), its title and its value, in the reader's language."""

    name: str
    title: str
    value: str


def fields_of(forms: Mapping[str, dict]) -> dict[str, Field]:
    """Every top-level field of ``forms`` by name: of the forms that have it, the one offering the most
    choices (the risk manager's action lists "no action", its approval does not), else the first by name."""
    found: dict[str, Field] = {}
    for name in sorted(forms):
        for f in as_form_schema(forms[name]).fields():
            if f.name not in found or len(f.options()) > len(found[f.name].options()):
                found[f.name] = f
    return found


def decision_of(submitted: Mapping[str, Any] | None) -> str | None:
    """What a sign-off, committee vote or compliance review decided (its code)."""
    s = submitted or {}
    return s.get("decision") or s.get("compliance_decision")


def decision_field(form: Mapping[str, Any] | None, submitted: Mapping[str, Any] | None) -> Field | None:
    """The field of ``form`` that a sign-off, vote or compliance review decided on (its options' words)."""
    s = submitted or {}
    name = "decision" if s.get("decision") else "compliance_decision"
    found = as_form_schema(form).field(name) if form else None
    return found if found is not None and found.options() else None


def decision_text(
    lane: str | None,
    submitted: Mapping[str, Any] | None,
    form: Mapping[str, Any] | None = None,
    locale: Any = None,
) -> str:
    """A decision in the reader's language, as the form it was given on words it: a sign-off's "reject" is
    否决, a committee vote's is a vote against (不同意), a compliance review's "return" returns it with its
    findings. Without its form, a committee vote in a committee's words, anything else by its code's."""
    decision = decision_of(submitted)
    if decision is None:
        return "—"
    f = decision_field(form, submitted)
    if f is not None and decision in {value for value, _label in f.options()}:
        return display_value(f, decision, locale)
    if lane == COMMITTEE_LANE:
        votes = {
            "approve": pgettext("committee vote", "approve"),
            "reject": pgettext("committee vote", "reject"),
            "abstain": pgettext("committee vote", "abstain"),
            "veto": pgettext("committee vote", "veto"),
            "recused": pgettext("committee vote", "recused"),
        }
        if decision in votes:
            return votes[decision]
    return _(decision)


def shown(f: Field | None, value: Any, locale: Any) -> str:
    """A value as its form shows it; a columns table (the statements) as its columns' labels."""
    if f is None:
        return ui_text("empty", locale) if value in (None, "", []) else figure(value, None, locale)
    if f.is_table and isinstance(value, list):
        labels = [column_label(f, value, i, locale) for i in range(len(value))]
        return ui_text("list_separator", locale).join(labels) or ui_text("empty", locale)
    return display_value(f, value, locale)


def entries(form: Mapping[str, Any] | None, data: Mapping[str, Any], locale: Any) -> list[Entry]:
    """``data`` as submitted on ``form``, in the form's order; a field the form lacks, by its name."""
    fields = {f.name: f for f in as_form_schema(form).fields()} if form else {}
    ordered = [name for name in fields if name in data] + [name for name in data if name not in fields]
    return [
        Entry(
            name,
            fields[name].title(locale) if name in fields else name,
            shown(fields.get(name), data[name], locale),
        )
        for name in ordered
    ]


@dataclass(frozen=True)
class Words:
    """What one deployed version names: its elements and decisions, and the form of each user task."""

    elements: dict[str, str] = field(default_factory=dict)  # element id -> "English / 中文" name
    decisions: dict[str, str] = field(default_factory=dict)
    task_forms: dict[str, str] = field(default_factory=dict)  # user task id -> form file
    forms: dict[str, dict] = field(default_factory=dict)


_WORDS: BoundedCache[str, Words] = BoundedCache(32)  # by content hash: a deployed version never changes


def words_of(definition: ProcessDefinition) -> Words:
    """The names of a deployed version (its called processes' too), read once per content."""
    return _WORDS.get(definition.content_hash, lambda: _read_words(definition))


def _read_words(definition: ProcessDefinition) -> Words:
    words = Words(forms=dict(definition.forms or {}))
    files = {definition.bpmn_file: definition.bpmn_xml, **(definition.called_files or {})}
    for filename, xml in files.items():
        for element in parse_xml(xml, filename).iter():
            if not isinstance(element.tag, str) or not element.get("id"):
                continue
            if element.get("name"):
                words.elements.setdefault(element.get("id"), element.get("name"))
            form = next(
                (p.get("value") for p in element.iter("{*}property") if p.get("name") == FORM_PROPERTY), None
            )
            if form and element.tag.endswith("userTask"):
                words.task_forms[element.get("id")] = form
    for filename, xml in (definition.dmn_files or {}).items():
        for decision in parse_xml(xml, filename).iter("{*}decision"):
            if decision.get("id"):
                words.decisions[decision.get("id")] = decision.get("name") or decision.get("id")
    return words


@dataclass(frozen=True)
class Moment:
    """One audit event as a timeline shows it."""

    event: AuditEvent
    actor: str  # the person's name, or "the system"
    element: str | None  # the diagram element it concerns (its id: the diagram filters by it)
    step: str | None  # that element's name
    decision: str | None  # the decision table's name, for a decision evaluated
    submitted: list[Entry]  # a completed task's form data, by field title
    cases: list[tuple[str, int | None]] = field(
        default_factory=list
    )  # cases it names (a sample drawn), with ids


def actor_names(events: Iterable[AuditEvent]) -> dict[int, str]:
    ids = {e.actor_id for e in events if e.actor_id}
    return (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )


def actor_of(event: AuditEvent, names: Mapping[int, str]) -> str:
    if event.actor_id is not None and event.actor_id in names:
        return names[event.actor_id]
    return _("the system") if event.actor_name == SYSTEM else event.actor_name


def actor(event: AuditEvent) -> str:
    """Who did what ``event`` records, by name (a person's display name, else "the system")."""
    return actor_of(event, actor_names([event]))


def people_named(usernames: Iterable[str]) -> list[str]:
    """The display names of ``usernames`` (kept by a process, e.g. a committee's veto), in their order; one
    that names nobody stays as it is."""
    usernames = [u for u in usernames if u]
    names = (
        dict(
            db.session.execute(
                select(User.username, User.display_name).where(User.username.in_(set(usernames)))
            ).all()
        )
        if usernames
        else {}
    )
    return [names.get(u, u) for u in usernames]


def moments(events: list[AuditEvent], locale: Any) -> list[Moment]:
    """``events`` with names for their people, steps, decisions and submitted fields."""
    names = actor_names(events)
    instance_ids = {e.instance_id for e in events if e.instance_id}
    definitions: dict[int | None, int] = (
        dict(
            db.session.execute(
                select(ProcessInstance.id, ProcessInstance.definition_id).where(
                    ProcessInstance.id.in_(instance_ids)
                )
            ).all()
        )
        if instance_ids
        else {}
    )
    words: dict[int | None, Words] = (
        {
            d.id: words_of(d)
            for d in db.session.scalars(
                select(ProcessDefinition).where(ProcessDefinition.id.in_(set(definitions.values())))
            )
        }
        if definitions
        else {}
    )
    named = {ref for e in events for ref in (e.payload or {}).get("drawn") or () if isinstance(ref, str)}
    references = (
        dict(
            db.session.execute(
                select(ProcessInstance.reference, ProcessInstance.id).where(
                    ProcessInstance.reference.in_(named)
                )
            ).all()
        )
        if named
        else {}
    )
    found = []
    for e in events:
        w = words.get(definitions.get(e.instance_id), Words())
        payload = e.payload or {}
        element = payload.get("element") or payload.get("task")
        submitted = []
        if e.event_type == "task.completed" and isinstance(payload.get("data"), Mapping):
            form = w.forms.get(w.task_forms.get(payload.get("task") or "", ""))
            submitted = entries(form, payload["data"], locale)
        decision = payload.get("decision")
        cases = [(ref, references.get(ref)) for ref in payload.get("drawn") or () if isinstance(ref, str)]
        found.append(
            Moment(
                e,
                actor_of(e, names),
                element,
                w.elements.get(element, element) if element else None,
                w.decisions.get(decision, decision) if decision else None,
                submitted,
                cases,
            )
        )
    return found
