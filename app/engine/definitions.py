"""Deployable bundles: one BPMN process with the DMN decisions and forms it uses.

A bundle is parsed once per content hash and cached; a running instance always runs on
the bundle of the definition version it started on.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from app.engine.dmn import Decision, load_dmn
from app.engine.scripting import DecisionRef
from app.engine.xml import parse_xml

FORM_PROPERTY = "formJsonSchemaFilename"
# A user task property naming the data variable that holds the username who must do the task.
ASSIGNEE_PROPERTY = "assigneeVariable"


class DefinitionError(ValueError):
    """A process definition cannot be built; names the file and element."""

    def __init__(self, filename: str, element_id: str | None, line: int | None, reason: str) -> None:
        where = ":".join(str(p) for p in (filename, line) if p)
        super().__init__(f"{where}: {element_id + ': ' if element_id else ''}{reason}")
        self.filename, self.element_id, self.line, self.reason = filename, element_id, line, reason


class _DecisionTaskParser(BusinessRuleTaskParser):
    """Business rule tasks point at our DMN evaluator instead of SpiffWorkflow's."""

    def create_task(self):
        extensions = self.parse_extensions()
        decision_id = extensions.get("calledDecisionId")
        if not decision_id:
            raise ValidationException(
                "business rule task has no calledDecisionId", node=self.node, file_name=self.filename
            )
        return BusinessRuleTask(
            self.spec,
            self.bpmn_id,
            dmnEngine=DecisionRef(decision_id),
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )


class CreditBpmnParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (_DecisionTaskParser, BusinessRuleTask),
    }


@dataclass(frozen=True)
class UserTaskMeta:
    """What the services need to know about a user task without touching the engine."""

    spec_id: str
    name: str
    lane: str | None
    form: str | None
    assignee_variable: str | None = None


@dataclass
class Bundle:
    """A parsed, runnable process definition."""

    content_hash: str
    process_id: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    decisions: dict[str, tuple[str, Decision]]
    forms: dict[str, dict]
    user_tasks: dict[str, UserTaskMeta] = field(default_factory=dict)
    start_messages: frozenset[str] = frozenset()  # messages a start event of the process waits for
    # Has a plain start event (none event definition): a person can open it; a process whose start events all
    # wait for a message (or a timer) is started only by what sends that message.
    starts_by_hand: bool = True


def content_hash(
    bpmn_xml: str,
    dmn_files: Mapping[str, str],
    forms: Mapping[str, dict],
    called_files: Mapping[str, str] | None = None,
) -> str:
    """SHA-256 over the BPMN, the BPMN files of the processes it calls, every DMN and every form,
    in a stable order (a definition without call activities hashes as it always did)."""
    digest = hashlib.sha256(bpmn_xml.encode())
    called = called_files or {}
    for name in sorted(called):
        digest.update(b"\0called\0" + name.encode() + b"\0" + called[name].encode())
    for name in sorted(dmn_files):
        digest.update(b"\0dmn\0" + name.encode() + b"\0" + dmn_files[name].encode())
    for name in sorted(forms):
        digest.update(b"\0form\0" + name.encode() + b"\0" + json.dumps(forms[name], sort_keys=True).encode())
    return digest.hexdigest()


def parse_process(
    bpmn_file: str,
    bpmn_xml: str,
    process_id: str | None = None,
    called_files: Mapping[str, str] | None = None,
) -> tuple[Any, dict, str]:
    """Parse one BPMN file, with the files of the processes its call activities call; return
    (spec, subprocess specs including the called processes, process id)."""
    root = parse_xml(bpmn_xml, bpmn_file)
    parser = CreditBpmnParser()
    try:
        parser.add_bpmn_xml(root, filename=bpmn_file)
        own_ids = parser.get_process_ids()
        for name, xml in sorted((called_files or {}).items()):
            parser.add_bpmn_xml(parse_xml(xml, name), filename=name)
        ids = own_ids
        if process_id is None:
            if not ids:
                raise DefinitionError(bpmn_file, None, None, "no executable process in the file")
            process_id = ids[0]
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        line = exc.line_number if isinstance(exc.line_number, int) else None
        raise DefinitionError(bpmn_file, exc.id or None, line, str(exc).split("\n")[0]) from exc
    return spec, subprocess_specs, process_id


def load_decisions(dmn_files: Mapping[str, str]) -> dict[str, tuple[str, Decision]]:
    """Every decision of every DMN file, by decision id; a duplicate id is an error."""
    decisions: dict[str, tuple[str, Decision]] = {}
    for filename, xml in sorted(dmn_files.items()):
        model = load_dmn(xml, filename)
        for decision_id, decision in model.decisions.items():
            if decision_id in decisions:
                raise DefinitionError(
                    filename, decision_id, None, f"decision id also defined in {decisions[decision_id][0]}"
                )
            decisions[decision_id] = (filename, decision)
    return decisions


def user_tasks_of(spec: Any, subprocess_specs: Mapping[str, Any]) -> dict[str, UserTaskMeta]:
    """The user tasks of a process (and its embedded subprocesses) with lane and form."""
    metas: dict[str, UserTaskMeta] = {}
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            if not getattr(task_spec, "manual", False):
                continue
            properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
            metas[task_spec.bpmn_id] = UserTaskMeta(
                spec_id=task_spec.bpmn_id,
                name=task_spec.bpmn_name or task_spec.bpmn_id,
                lane=task_spec.lane,
                form=properties.get(FORM_PROPERTY),
                assignee_variable=properties.get(ASSIGNEE_PROPERTY),
            )
    return metas


_CACHE: OrderedDict[str, Bundle] = OrderedDict()
_CACHE_SIZE = 64


def start_messages_of(spec) -> frozenset[str]:
    """The names of the messages that start the process (message start events)."""
    names = set()
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if isinstance(task_spec, StartEvent) and isinstance(definition, MessageEventDefinition):
            names.add(definition.name)
    return frozenset(names)


def starts_by_hand(spec) -> bool:
    """Does the process have a plain start event, one that waits for nothing (so a person can open it)?"""
    return any(
        isinstance(task_spec, StartEvent)
        and isinstance(getattr(task_spec, "event_definition", None), NoneEventDefinition)
        for task_spec in spec.task_specs.values()
    )


def build_bundle(
    bpmn_file: str,
    bpmn_xml: str,
    dmn_files: Mapping[str, str],
    forms: Mapping[str, dict],
    process_id: str | None = None,
    called_files: Mapping[str, str] | None = None,
) -> Bundle:
    """Parse (or take from the cache) the bundle for exactly this content."""
    key = content_hash(bpmn_xml, dmn_files, forms, called_files)
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
        return cached
    spec, subprocess_specs, process_id = parse_process(bpmn_file, bpmn_xml, process_id, called_files)
    bundle = Bundle(
        content_hash=key,
        process_id=process_id,
        name=spec.description or process_id,
        spec=spec,
        subprocess_specs=subprocess_specs,
        decisions=load_decisions(dmn_files),
        forms=dict(forms),
        user_tasks=user_tasks_of(spec, subprocess_specs),
        start_messages=start_messages_of(spec),
        starts_by_hand=starts_by_hand(spec),
    )
    _CACHE[key] = bundle
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return bundle
