"""Credit cases: start one, read one, list them, its history."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app import engine
from app.errors import InvalidInput, NotAuthorized, NotFound
from app.extensions import db
from app.forms.messages import ui_text
from app.models import AuditEvent, DecisionLog, HumanTask, ProcessDefinition, ProcessInstance, User
from app.models.base import utcnow
from app.services.approval import staffing
from app.services.approval.lanes import APPROVAL_LANES
from app.services.audit import audit
from app.services.audit.decision_words import Reading, readings
from app.services.audit.readable import Moment, decision_text, moments
from app.services.cases import instance_row, steps, text_search
from app.services.cases.case_facts import Facts, facts_of
from app.services.cases.case_kinds import CaseKind, kind_of
from app.services.customers.master.customers import READERS
from app.services.customers.master.directory import for_case
from app.services.design.deployment import deployment
from app.services.design.forms.forms import accept_prefill, writable_fields
from app.services.people.training import required as required_training

SIGNING_LANES = (*APPROVAL_LANES, "compliance")


def _reference(instance_id: int, process_id: str = "credit_application") -> str:
    return f"{kind_of(process_id).prefix}-{utcnow():%Y}-{instance_id:06d}"


def start_case(
    user: User,
    process_id: str,
    data: dict[str, Any] | None = None,
    *,
    carried: dict[str, Any] | None = None,
    on_behalf: bool = False,
) -> ProcessInstance:
    """Open a new case of the latest deployed version of ``process_id``, if ``user`` may start it.

    ``data`` prefills the fields of its first form (each checked as the form checks it). ``carried`` is what a
    service puts in the case from the bank's own records beside them (a renewal's link to the facility it
    renews): never read from a request, so not a form's field. ``on_behalf``: the system opens the case for
    ``user`` (a renewal the beat proposes): it is theirs (they are its starter), and the audit log names the
    system as who started it. A person whose required training the process needs has lapsed is refused,
    the course named (``required_training.GATES``: an officer without valid AML/KYC training submits no
    credit application); a case the system opens on their behalf is not theirs to refuse."""
    definition = deployment.latest_definition(process_id)
    bundle = deployment.bundle_for(definition)
    check_may_start(user, process_id, bundle)
    if not on_behalf:
        required_training.check_gate(user, process_id)
    unknown = sorted(set(data or {}) - opening_fields(bundle)) if data else []
    if unknown:
        raise InvalidInput(
            _("Unknown fields in the case data."),
            {k: _("not a field of the process's first form") for k in unknown},
        )
    if data:
        for form in opening_forms(bundle):  # each value as its form checks it, never stored unchecked
            data = {**data, **accept_prefill(bundle.forms[form], data, str(get_locale()))}
    instance = _insert_instance(definition, user)
    actor = None if on_behalf else user
    carried_payload: dict[str, Any] = {"carried": carried} if carried else {}
    audit.record(
        "instance.started",
        actor,
        instance_id=instance.id,
        process_id=process_id,
        version=definition.version,
        data=data or {},
        **carried_payload,
    )
    start_data = {**(data or {}), **(carried or {})} or None
    steps.run_step(
        instance,
        actor,
        lambda b, _state: engine.start(b, start_data, for_case(instance)),
        also={"reference": _reference(instance.id, process_id)},
    )
    return instance


def _by_hand(process_id: str, bundle: engine.Bundle) -> CaseKind | None:
    """The kind of ``process_id`` if people may open it by hand at all (None: only the system starts it)."""
    kind = kind_of(process_id)
    return kind if kind.started_by and bundle.starts_by_hand else None


def check_may_start(user: User, process_id: str, bundle: engine.Bundle) -> None:
    """Refuse, naming the process, a start ``user`` may not make: a process only the system starts (its kind
    names no role, or its diagram starts only on a message), or one their role does not start."""
    kind = _by_hand(process_id, bundle)
    title = kind_of(process_id).title
    if kind is None:
        raise NotAuthorized(
            _(
                "%(process)s (%(id)s) is started only by the system, never by a person.",
                process=title,
                id=process_id,
            )
        )
    if user.role not in kind.started_by:
        raise NotAuthorized(
            _(
                "Your role may not start %(process)s (%(id)s); it is opened by: %(roles)s.",
                process=title,
                id=process_id,
                roles=ui_text("list_separator", get_locale()).join(_(role) for role in kind.started_by),
            )
        )


def startable(user: User) -> list[CaseKind]:
    """The kinds of case ``user`` may open by hand now (the start menus), of the processes deployed."""
    kinds = []
    for process_id in db.session.scalars(
        select(ProcessDefinition.process_id).distinct().order_by(ProcessDefinition.process_id)
    ):
        kind = kind_of(process_id)
        if user.role not in kind.started_by:
            continue  # decided without parsing the diagram
        if _by_hand(process_id, deployment.bundle_for(deployment.latest_definition(process_id))) is not None:
            kinds.append(kind)
    return sorted(kinds, key=lambda k: (not k.known, k.process_id))  # the bank's own kinds first


def start_by_message(
    process_id: str,
    message: str,
    payload: dict[str, Any],
    actor: User | None = None,
    *,
    started_by: User | None = None,
) -> ProcessInstance:
    """Start the latest version of ``process_id`` the way ``message`` starts it (e.g. an early warning
    raised by the portfolio check). ``actor`` is who caused it, audited as the start's actor (the risk
    manager who ran the check; None: the beat); ``started_by`` the person who opens it as their own case, if
    anyone does (the auditor who drew a sample). A case the system starts has no starter: 审贷分离 excludes
    a case's starter from deciding it, and whoever pressed the button that ran the check did not apply."""
    definition = deployment.latest_definition(process_id)
    bundle = deployment.bundle_for(definition)
    if message not in bundle.start_messages:
        raise InvalidInput(
            _("The process does not start on this message."),
            {
                "message": _(
                    "%(process)s starts on %(messages)s",
                    process=process_id,
                    messages=", ".join(sorted(bundle.start_messages)) or "-",
                )
            },
        )
    instance = _insert_instance(definition, started_by)
    audit.record(
        "instance.started",
        actor,
        instance_id=instance.id,
        process_id=process_id,
        version=definition.version,
        message=message,
        data=payload,
    )
    steps.run_step(
        instance,
        actor,
        lambda b, _state: engine.start_by_message(b, message, payload, for_case(instance)),
        also={"reference": _reference(instance.id, process_id)},
    )
    return instance


def _insert_instance(definition: ProcessDefinition, user: User | None) -> ProcessInstance:
    """The new case's row (``instance_row.insert``). Its reference, made from its id, is written with the
    first step."""
    now = utcnow()
    values = dict(
        reference=f"new-{secrets.token_hex(12)}",
        definition_id=definition.id,
        process_id=definition.process_id,
        customer_id=None,
        status="running",
        outcome=None,
        current_step=None,
        summary={},
        open_tasks=[],
        waiting_timers=0,
        state="",
        serializer_version=engine.SERIALIZER_VERSION,
        version=1,
        started_by_id=user.id if user else None,
        started_at=now,
        updated_at=now,
        completed_at=None,
    )
    return instance_row.insert(values)


def opening_forms(bundle: engine.Bundle) -> list[str]:
    """The forms a new case of ``bundle`` opens with."""
    return [task.form for task in engine.start(bundle).ready_tasks if task.form in bundle.forms]


def opening_fields(bundle: engine.Bundle) -> set[str]:
    """What data may prefill a new case: the writable fields of the form(s) it opens with, so a
    case can never start with an approver's decision or any later step's values already set."""
    return {name for form in opening_forms(bundle) for name in writable_fields(bundle.forms[form])}


def may_read(user: User) -> bool:
    return user.role in READERS


def get_case(user: User, instance_id: int) -> ProcessInstance:
    if not may_read(user):
        raise NotAuthorized(_("Your role may not read credit files."))
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("No case %(id)s.", id=instance_id))
    return instance


@dataclass(frozen=True)
class CaseView:
    instance: ProcessInstance
    tasks: list[HumanTask]
    decisions: list[DecisionLog]
    events: list[AuditEvent]
    data: dict[str, Any]
    visited: list[str]  # BPMN element ids the case has passed through, for the diagram
    current: list[str]  # element ids waiting now
    facts: Facts  # what this kind of case is about, typed (``case_facts``)
    waiting: list[staffing.Waiting] = field(default_factory=list)  # what it waits for people for, and why
    requested_by: str | None = (
        None  # a case the system started: who asked for what started it (ran the check)
    )

    @property
    def signoffs(self) -> list[HumanTask]:
        """Every sign-off, committee vote and compliance sign-off given so far, each with who, when
        and what they said."""
        return [t for t in self.tasks if t.lane in SIGNING_LANES and t.state == "completed"]

    def decision_in(self, task: HumanTask) -> str:
        """What ``task`` decided, in the reader's language as the task's form words it (a sign-off's 批准 / 退回修改
        / 否决, a committee vote's 同意 / 不同意 / 弃权 / 一票否决)."""
        return decision_text(
            task.lane,
            task.submitted,
            (self.instance.definition.forms or {}).get(task.form or ""),
            get_locale(),
        )

    @property
    def timeline(self) -> list[Moment]:
        """The events with names for their people, steps and submitted fields, in the language being
        rendered (a PDF forces its own)."""
        return moments(self.events, get_locale())

    @property
    def signed_shown(self) -> frozenset[int]:
        """The approval tasks whose decision and comment the case page shows in its sign-off record: every
        sign-off of an application (its table), the last approval of a review or an escalation."""
        if not self.facts.kind.signed_fields:
            return frozenset()
        if hasattr(self.facts, "approval"):
            approval = self.facts.approval
            return frozenset({approval.task_id}) if approval is not None else frozenset()
        return frozenset(t.id for t in self.signoffs)

    @property
    def readings(self) -> list[Reading]:
        """The decisions with their tables' names and columns' labels (``decision_words``)."""
        return readings(self.decisions)


def case_view(user: User, instance_id: int) -> CaseView:
    """Everything the case page shows, read from projections (no workflow is loaded)."""
    return view_of(get_case(user, instance_id))


def view_of(instance: ProcessInstance) -> CaseView:
    """The case view of an instance the caller is entitled to (system jobs, or after ``get_case``)."""
    tasks = list(
        db.session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)
        )
    )
    decisions = list(
        db.session.scalars(
            select(DecisionLog).where(DecisionLog.instance_id == instance.id).order_by(DecisionLog.id)
        )
    )
    events = _events_of(instance.id)
    data: dict[str, Any] = {}
    for task in tasks:
        data.update(task.submitted or {})
    data.update(instance.summary or {})
    waiting = staffing.of_case(instance.id)
    current = [t.task_spec for t in tasks if t.state == "ready"] + [
        w.gap.element for w in waiting if w.gap.task_id is None
    ]
    visited: list[str] = []
    for event in events:
        element = event.payload.get("element") or (
            event.payload.get("task") if event.event_type == "task.completed" else None
        )
        if element and element not in visited:
            visited.append(element)
    started = next((e for e in events if e.event_type == "instance.started"), None)
    asker = (
        db.session.get(User, started.actor_id)
        if started is not None and started.actor_id is not None and instance.started_by_id is None
        else None
    )
    requested_by = asker.display_name if asker is not None else None
    return CaseView(
        instance,
        tasks,
        decisions,
        events,
        data,
        visited,
        current,
        facts_of(instance, data, tasks),
        waiting,
        requested_by,
    )


def history(user: User, instance_id: int) -> list[AuditEvent]:
    """The case's audit trail, oldest first."""
    return _events_of(get_case(user, instance_id).id)


def _events_of(instance_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.id)
        )
    )


@dataclass(frozen=True)
class CasePage:
    rows: list[ProcessInstance]
    page: int
    has_next: bool


def list_cases(
    user: User, *, status: str | None = None, search: str | None = None, page: int = 1, per_page: int = 50
) -> CasePage:
    """Cases newest first, from the instance rows' summaries (never the serialized state).

    No total is counted: a COUNT over every case ever opened grows with history, while a
    page (one row more than shown tells whether there is a next) costs the same at any size.
    """
    if not may_read(user):
        raise NotAuthorized(_("Your role may not read credit files."))
    query = select(ProcessInstance)
    if status:
        query = query.where(ProcessInstance.status == status)
    query = text_search.newest_cases(query, text_search.clean_term(search))
    rows = list(db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)))
    return CasePage(rows[:per_page], page, len(rows) > per_page)
