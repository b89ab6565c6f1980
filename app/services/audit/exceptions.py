"""The exceptions dashboard (例外事项): what an auditor looks at first — rating overrides, sign-offs above
the level the authority table asked (escalations), returned and resubmitted cases, SLA breaches,
delegations and reassignments, the same person signing twice in one chain, and four-eyes near misses
(someone who investigated a case tried to approve it and was refused). Each list is read from the
projections and the audit log; compliance staff only. Every finding names its case, customer and people
(never an id) and says what happened in words."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.language import in_language
from app.models import AuditEvent, HumanTask, ProcessInstance, User
from app.models.base import readable_json
from app.services.approval.lanes import APPROVAL_LANES
from app.services.audit.audit_search import check_auditor
from app.services.audit.readable import actor_names, actor_of, words_of

LIMIT = 100


@dataclass(frozen=True)
class Finding:
    instance: ProcessInstance | None  # its reference and customer are shown, linked
    who: str | None  # the person's name
    when: object
    detail: str  # in words; texts written "English / 中文" are shown in the reader's language


def _cases(ids) -> dict[int | None, ProcessInstance]:  # looked up by events' instance_id, None finding none
    ids = list(ids)
    return (
        {i.id: i for i in db.session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(ids)))}
        if ids
        else {}
    )


def _names(usernames) -> dict[str | None, str]:  # looked up by a payload's names, None finding none
    usernames = set(usernames) - {None}
    return (
        dict(
            db.session.execute(
                select(User.username, User.display_name).where(User.username.in_(usernames))
            ).all()
        )
        if usernames
        else {}
    )


def _step(instance: ProcessInstance | None, element: str | None) -> str:
    """An element of the case's diagram by its name (its id if the diagram does not name it)."""
    if not element:
        return "—"
    name = words_of(instance.definition).elements.get(element, element) if instance else element
    return in_language(name, get_locale())


def _from_events(event_types: tuple[str, ...], detail) -> list[Finding]:
    rows = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.event_type.in_(event_types))
            .order_by(AuditEvent.id.desc())
            .limit(LIMIT)
        )
    )
    cases, actors = _cases({r.instance_id for r in rows if r.instance_id}), actor_names(rows)
    return [
        Finding(
            cases.get(r.instance_id), actor_of(r, actors), r.occurred_at, detail(r, cases.get(r.instance_id))
        )
        for r in rows
    ]


def _last_completed(instance_ids, where) -> dict[int, HumanTask]:
    """The last task of each case matching ``where`` that someone completed."""
    found: dict[int, HumanTask] = {}
    if instance_ids:
        for task in db.session.scalars(
            select(HumanTask)
            .where(HumanTask.instance_id.in_(instance_ids), HumanTask.state == "completed", where)
            .order_by(HumanTask.completed_at, HumanTask.id)
        ):
            found[task.instance_id] = task
    return found


def _by(task: HumanTask | None) -> str | None:
    return task.completed_by.display_name if task and task.completed_by else None


def overrides() -> list[Finding]:
    """Grades the officer adjusted from the model's, with who adjusted and why."""
    rows = list(
        db.session.scalars(
            select(ProcessInstance)
            .where(
                readable_json(ProcessInstance.summary, db.engine.dialect.name)["rating_override"]
                .as_string()
                .is_not(None)
            )
            .order_by(ProcessInstance.id.desc())
            .limit(LIMIT)
        )
    )
    proposals = _last_completed([c.id for c in rows], HumanTask.task_spec == "review_proposal")
    found = []
    for case in rows:
        o = (case.summary or {}).get("rating_override")
        if isinstance(o, dict):
            task = proposals.get(case.id)
            found.append(
                Finding(
                    case,
                    _by(task),
                    task.completed_at if task else case.updated_at,
                    _(
                        "from the model grade %(model)s to %(grade)s: %(reason)s",
                        model=o.get("model_grade"),
                        grade=o.get("grade"),
                        reason=o.get("reason"),
                    ),
                )
            )
    return found


def escalations() -> list[Finding]:
    """Sign-offs moved above the table's level because they were overdue."""
    return _from_events(
        ("engine.timer_fired",),
        lambda r, case: _("%(step)s: the time limit passed", step=_step(case, r.payload.get("element"))),
    )


def returned() -> list[Finding]:
    """Cases whose proposal was reviewed more than once (returned by an approver or compliance), with who
    returned it last."""
    rows = db.session.execute(
        select(HumanTask.instance_id, func.count())
        .where(HumanTask.task_spec == "review_proposal", HumanTask.state == "completed")
        .group_by(HumanTask.instance_id)
        .having(func.count() > 1)
        .order_by(HumanTask.instance_id.desc())
        .limit(LIMIT)
    ).all()
    cases = _cases(r[0] for r in rows)
    returns = _last_completed(list(cases), HumanTask.lane.in_((*APPROVAL_LANES, "compliance")))
    return [
        Finding(
            cases.get(i),
            _by(returns.get(i)),
            returns[i].completed_at if i in returns else None,
            _("the proposal submitted %(n)s times, returned %(returns)s", n=n, returns=n - 1),
        )
        for i, n in rows
    ]


def delegations() -> list[Finding]:
    def detail(r: AuditEvent, case: ProcessInstance | None) -> str:
        before, after = r.payload.get("from"), r.payload.get("to")
        people = _names((before, after))
        task, to = _step(case, r.payload.get("task")), people.get(after, after) or _("the group's queue")
        if not before:  # nobody held it: it was taken from the group's queue
            return _("%(task)s: from the group's queue to %(to)s", task=task, to=to)
        return _(
            "%(task)s: from %(from)s to %(to)s", task=task, to=to, **{"from": people.get(before, before)}
        )

    return _from_events(("task.delegated", "task.reassigned"), detail)


def signed_twice() -> list[Finding]:
    """One person completing two or more sign-offs or votes of the same case."""
    rows = db.session.execute(
        select(HumanTask.instance_id, User.display_name, func.count(), func.max(HumanTask.completed_at))
        .join(User, User.id == HumanTask.completed_by_id)
        .where(HumanTask.lane.in_(APPROVAL_LANES), HumanTask.state == "completed")
        .group_by(HumanTask.instance_id, User.id, User.display_name)
        .having(func.count() > 1)
        .order_by(HumanTask.instance_id.desc())
        .limit(LIMIT)
    ).all()
    cases = _cases(r[0] for r in rows)
    return [
        Finding(cases.get(i), who, last, _("%(n)s sign-offs in one chain", n=n)) for i, who, n, last in rows
    ]


def near_misses() -> list[Finding]:
    """Someone who investigated a case tried to approve it (refused, 审贷分离)."""
    return _from_events(
        ("task.refused",),
        lambda r, case: _(
            "%(task)s: refused, the person investigated the case (segregation of duties)",
            task=_step(case, r.payload.get("task")),
        ),
    )


SECTIONS = (
    ("overrides", overrides),
    ("escalations", escalations),
    ("returned", returned),
    ("delegations", delegations),
    ("signed_twice", signed_twice),
    ("near_misses", near_misses),
)


def dashboard(user: User) -> dict[str, list[Finding]]:
    check_auditor(user)
    return {name: read() for name, read in SECTIONS}
