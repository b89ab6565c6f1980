"""Human tasks: who may see and act on them, claim, unclaim, complete.

Authorization lives here, not in templates: a user acts on a task only if its lane is
one of their groups (or it is assigned to them), never on a case they investigated when
the task is an approval (审贷分离), and only with the authority level the approval
authority table asked for (分级审批).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select, update
from sqlalchemy.orm import contains_eager

from app import engine
from app.errors import (
    Conflict,
    InsufficientAuthority,
    InvalidInput,
    NotAuthorized,
    NotFound,
    SegregationOfDutiesViolation,
)
from app.extensions import db
from app.localtime import local_time
from app.models import Customer, HumanTask, ProcessInstance, User
from app.models.base import utcnow
from app.services.approval import qualifications, staffing
from app.services.approval.eligibility import COMMITTEE_LANE, investigated, worked_on
from app.services.approval.exposure import Exposure, exposure_of
from app.services.approval.lanes import APPROVAL_LANES, APPROVER_LANE
from app.services.audit import audit
from app.services.cases import intake_pick, rounds, withdrawal
from app.services.cases.case_facts import CreditFacts, Facts, facts_of
from app.services.cases.inbox_filters import DUE_STATES, InboxFilter
from app.services.cases.steps import lost_race, run_step
from app.services.customers.master.directory import for_case
from app.services.design.deployment import deployment
from app.services.design.forms.form_checks import CHECKS
from app.services.design.forms.form_offers import offered
from app.services.design.forms.forms import (
    accept,
    accept_post,
    check_option_groups,
    for_user,
    names_case_groups,
    schema_of,
)
from app.services.shared.nullsafe import differs, outside
from app.services.shared.rows import rowcount, write
from app.services.shared.unit_of_work import unit_of_work


def get_task(task_id: int) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("No task %(id)s.", id=task_id))
    return task


def _opened_again(task: HumanTask) -> HumanTask | None:
    """The same step open again in the case after ``task`` was closed without being done."""
    return db.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == task.instance_id, HumanTask.task_spec == task.task_spec,
        HumanTask.state == "ready", HumanTask.id > task.id).order_by(HumanTask.id).limit(1))


def check_may_act(user: User, task: HumanTask, *, record_refusal: bool = True) -> None:
    """Raise the precise refusal if ``user`` may not work ``task`` now. A refusal for 审贷分离 is a
    four-eyes near miss: recorded in the audit log (unless the caller is only asking, e.g. a listing)."""
    if task.instance.status == withdrawal.WITHDRAWN:
        raise withdrawal.withdrawn_conflict(task.instance)
    when = local_time(task.completed_at, "%Y-%m-%d %H:%M:%S") if task.completed_at else ""
    if task.state == "cancelled":
        again = _opened_again(task)
        if again is not None:  # e.g. an investigation a joining warning started over: ``task_id`` is the new one
            raise Conflict(_("This task was closed at %(time)s and opened again with what the case learnt since: "
                             "this is the task now.", time=when), task_id=again.id)
        raise Conflict(_("This task was closed at %(time)s without being done: the case went on without it. "
                         "Open the case to see where it is.", time=when))
    if task.state != "ready":
        who = task.completed_by.display_name if task.completed_by else _("the system")
        raise Conflict(_("This task was completed by %(user)s at %(time)s.", user=who, time=when))
    if task.assignee_id is not None and task.assignee_id != user.id:
        raise NotAuthorized(_("This task is claimed by %(user)s.", user=task.assignee.display_name))
    if task.lane == COMMITTEE_LANE and task.assignee_id is None:
        raise NotAuthorized(_("A committee vote is cast only by the member it was given to."))
    if task.lane and task.lane not in user.group_codes:  # even a claimant who has left the group
        raise NotAuthorized(_("This task belongs to the %(lane)s group, which you are not in.",
                              lane=_(task.lane) if task.lane else "-"))
    if task.lane in APPROVAL_LANES and investigated(user, task.instance):
        if record_refusal:  # a unit of its own: the refusal is recorded even though nothing else is
            with unit_of_work(own=True):
                audit.record("task.refused", user, instance_id=task.instance_id,
                             customer_id=task.instance.customer_id, task_id=task.id, task=task.task_spec,
                             reason="segregation_of_duties")
        raise SegregationOfDutiesViolation(
            _("Segregation of duties: you investigated this case, so you may not approve it."))
    if task.lane in APPROVAL_LANES:
        unqualified = qualifications.refusal(user)
        if unqualified:
            raise InsufficientAuthority(unqualified)
    if task.lane == APPROVER_LANE:
        if task.required_level is None:
            raise InsufficientAuthority(
                _("No approval authority level was decided for this task, so nobody may sign it off."))
        if user.authority_level is None:
            raise InsufficientAuthority(_("This approval needs authority level %(need)s; you have no approval "
                                          "authority.", need=task.required_level))
        if user.authority_level < task.required_level:
            raise InsufficientAuthority(
                _("This approval needs authority level %(need)s; yours is %(have)s.",
                  need=task.required_level, have=user.authority_level))


def claim(user: User, task_id: int) -> HumanTask:
    task = get_task(task_id)
    check_may_act(user, task)
    if task.assignee_id != user.id:
        # Claimed only if still open and free: of two people claiming at once, one is refused.
        with unit_of_work():
            taken = db.session.execute(
                update(HumanTask).where(HumanTask.id == task.id, HumanTask.state == "ready",
                                        HumanTask.assignee_id.is_(None))
                .values(assignee_id=user.id, claimed_at=utcnow()).execution_options(synchronize_session=False))
            if rowcount(taken) == 1:
                audit.record("task.claimed", user, instance_id=task.instance_id,
                             customer_id=task.instance.customer_id, task_id=task.id, task_uuid=task.task_uuid,
                             task=task.task_spec)
        db.session.refresh(task)
        if rowcount(taken) != 1:
            check_may_act(user, task)  # names who has it, or who completed it
            raise Conflict(_("This task was claimed by someone else meanwhile."))
    return task


def unclaim(user: User, task_id: int) -> HumanTask:
    task = get_task(task_id)
    if task.assignee_id != user.id:
        raise NotAuthorized(_("Only the person who claimed a task can put it back."))
    if task.lane == COMMITTEE_LANE:  # one vote per member: back in the pool, another member could cast it too
        raise NotAuthorized(_("A committee vote is your own and cannot be put back; the administrator may "
                              "reassign it to another member who may vote."))
    if task.state != "ready":
        check_may_act(user, task)
    with unit_of_work():
        released = db.session.execute(
            update(HumanTask).where(HumanTask.id == task.id, HumanTask.assignee_id == user.id,
                                    HumanTask.state == "ready")
            .values(assignee_id=None, claimed_at=None).execution_options(synchronize_session=False))
        if rowcount(released) != 1:
            raise Conflict(_("This task changed meanwhile; reload to see it."))
        audit.record("task.unclaimed", user, instance_id=task.instance_id, customer_id=task.instance.customer_id,
                     task_id=task.id, task_uuid=task.task_uuid, task=task.task_spec)
    db.session.refresh(task)
    return task


@dataclass(frozen=True)
class TaskForm:
    task: HumanTask
    schema: dict
    data: dict[str, Any]
    instance_version: int
    changes: list[rounds.Change] = field(default_factory=list)  # for an approval: what the officer changed
    exposure: Exposure | None = None  # for a proposal or its approval: customer and group exposure (统一授信)
    facts: Facts | None = None  # what the case is about (an approver decides on it without opening the memo)
    pick: intake_pick.Pick | None = None  # a form naming its customer: the search of the bank's customers


def open_task(user: User, task_id: int, *, customer_query: str | None = None,
              customer_id: int | None = None) -> TaskForm:
    """The task with its form and current data, for the task page or the API; an approval also
    shows what the officer changed since the last round. A form that names its customer (the intake)
    offers the customers ``customer_query`` finds, and opens filled with what the bank knows of the
    customer ``customer_id`` picked; a field the case holds nothing for yet may be offered from the bank's
    records (``form_offers``: the statements on file)."""
    task = get_task(task_id)
    check_may_act(user, task)
    instance = task.instance
    bundle = deployment.bundle_for(instance.definition)
    data = engine.task_data(bundle, instance.state, task.task_uuid)
    data = {**data, **offered(schema_of(bundle.forms, task.form), instance, data)}
    changes = rounds.changes_since_last_round(instance.id, bundle.forms) if task.lane in APPROVAL_LANES else []
    case_data = {**(instance.summary or {}), **data}
    schema = for_user(schema_of(bundle.forms, task.form), user, case_data)
    facts = facts_of(instance, case_data, list(db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id))))
    shown = None  # the exposure: where a proposal is made, and wherever a credit is decided
    if "large_exposure" in schema.get("x-checks", ()) or (task.lane in APPROVAL_LANES and isinstance(facts, CreditFacts)):
        shown = exposure_of(instance, case_data, case_data.get("proposed_limit"))
    pick = intake_pick.pick(user, schema, customer_query, customer_id)
    if pick is not None:
        data = pick.fill(data, schema)
    return TaskForm(task, schema, data, instance.version, changes, shown, facts, pick)


def customer_matches(user: User, task_id: int, query: str | None) -> list[Customer]:
    """The customers ``query`` finds for the picker of a task's form that names its customer (the intake),
    to someone who may work the task."""
    task = get_task(task_id)
    check_may_act(user, task, record_refusal=False)
    return intake_pick.search(user, schema_of(deployment.bundle_for(task.instance.definition).forms, task.form),
                              query)


def complete(user: User, task_id: int, data: dict[str, Any] | None = None, *, post: Any = None,
             expected_version: int | None = None, locale: str = "zh_CN") -> HumanTask:
    """Validate the submission against the task's form and run the process on."""
    task = get_task(task_id)
    check_may_act(user, task)
    instance = task.instance
    if expected_version is not None and expected_version != instance.version:
        raise lost_race(instance.id)
    bundle = deployment.bundle_for(instance.definition)
    schema = schema_of(bundle.forms, task.form)
    submitted = accept_post(schema, post, locale) if post is not None else accept(schema, data or {}, locale)
    if names_case_groups(schema):  # an option reserved for the group the case's rules named: read the case
        check_option_groups(schema, submitted, user, {**(instance.summary or {}),
                                                      **engine.task_data(bundle, instance.state, task.task_uuid)})
    else:
        check_option_groups(schema, submitted, user)
    try:
        for check in schema.get("x-checks", ()):
            CHECKS[check](instance, submitted, dict(instance.summary or {}), locale)
    except InvalidInput as exc:  # shown again with what the person entered, not the task's old data
        raise InvalidInput(exc.message, exc.errors, data=exc.details.get("data") or submitted) from exc
    claimed_now = task.assignee_id is None

    def recorded() -> None:
        """What the person did, written ahead of what the engine did in response (the instance row already
        carries the step's outcome)."""
        write(task, state="completed", completed_at=utcnow(), completed_by_id=user.id, assignee_id=user.id,
              submitted=audit.to_json_safe(submitted))
        if claimed_now:
            audit.record("task.claimed", user, instance_id=instance.id, customer_id=instance.customer_id,
                         task_id=task.id, task_uuid=task.task_uuid, task=task.task_spec)
        audit.record("task.completed", user, instance_id=instance.id, customer_id=instance.customer_id,
                     task_id=task.id, task_uuid=task.task_uuid, task=task.task_spec, data=submitted)

    task_uuid = task.task_uuid
    directory = for_case(instance, worker=None if task.lane in APPROVAL_LANES else user)
    try:
        run_step(instance, user, lambda b, state: engine.complete_task(b, state, task_uuid, submitted, directory,
                                                                       performer=user.username),
                 prelude=recorded, completing=task_uuid)
    except engine.TaskNotReady as exc:
        db.session.rollback()
        raise Conflict(_("This task is no longer waiting for input; reload the case to see where it is.")) from exc
    return task


@dataclass(frozen=True)
class TaskList:
    rows: list[HumanTask]
    total: int
    hidden_above_authority: int = 0
    blocked: str | None = None  # why the user's approvals are withheld (no valid qualification)
    due_counts: dict[str, int] = field(default_factory=dict)  # of the whole queue: overdue, near
    waiting: list[staffing.Waiting] = field(default_factory=list)  # cases nobody may act on (see staffing)


def _base(user: User):
    return (select(HumanTask).join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
            .where(HumanTask.state == "ready"))


def _not_investigated_by(user: User):
    """审贷分离 as a filter: the task's case has no non-approval step this user completed.

    Correlated on the task's case, so its cost follows the open tasks listed, not the
    user's whole history (an uncorrelated NOT IN read every step they ever completed).
    """
    return ~worked_on(user.id, HumanTask.instance_id)


def my_tasks(user: User, *, page: int = 1, per_page: int = 50) -> TaskList:
    """Tasks assigned to me, then my groups' unclaimed queue, oldest first.

    Approvals I could not act on (cases I investigated, or above my authority) are left out,
    as in the sign-off inbox: ``check_may_act`` would refuse them.
    """
    groups = list(user.group_codes)
    may_approve = differs(ProcessInstance.started_by_id, user.id) \
        & _not_investigated_by(user) \
        & or_(HumanTask.required_level.is_(None), HumanTask.required_level <= (user.authority_level or 0))
    if qualifications.refusal(user):
        may_approve = false()  # without a valid qualification no approval is theirs to do
    query = _base(user).where(or_(HumanTask.assignee_id == user.id,
                                  (HumanTask.assignee_id.is_(None)) & HumanTask.lane.in_(groups)),
                              or_(outside(HumanTask.lane, APPROVAL_LANES), may_approve))
    listing = _page(query, page, per_page)
    return TaskList(listing.rows, listing.total, waiting=staffing.for_user(user))


def sign_off_inbox(user: User, *, page: int = 1, per_page: int = 50, filters: InboxFilter | None = None) -> TaskList:
    """Approval tasks within my authority and my committee votes, excluding cases I investigated (审贷分离),
    narrowed and ordered by ``filters``."""
    filters = filters or InboxFilter()
    lanes = [lane for lane in APPROVAL_LANES if lane in user.group_codes]
    if not lanes:
        raise NotAuthorized(_("The sign-off inbox is for approvers."))
    blocked = qualifications.refusal(user)
    if blocked:
        return TaskList([], 0, 0, blocked)
    level = user.authority_level or 0
    query = _base(user).where(
        HumanTask.lane.in_(lanes),
        or_(HumanTask.assignee_id.is_(None), HumanTask.assignee_id == user.id),
        differs(ProcessInstance.started_by_id, user.id),  # a case the system started has no starter
        _not_investigated_by(user),
    )
    hidden = db.session.scalar(select(func.count()).select_from(
        query.where(HumanTask.required_level > level).subquery())) or 0
    queue = query.where(or_(HumanTask.required_level.is_(None), HumanTask.required_level <= level))
    result = _page(filters.apply(queue), page, per_page, filters.order())
    due_counts = {state: db.session.scalar(select(func.count()).select_from(
        InboxFilter(due=state).apply(queue).subquery())) or 0 for state in DUE_STATES}
    return TaskList(result.rows, result.total, hidden, due_counts=due_counts)


def next_in_queue(user: User, filters: InboxFilter) -> HumanTask | None:
    """The first task of the user's sign-off queue as ``filters`` narrow and order it (working through
    the queue one task after another)."""
    rows = sign_off_inbox(user, per_page=1, filters=filters).rows
    return rows[0] if rows else None


def _page(query, page: int, per_page: int, order: tuple | None = None) -> TaskList:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.options(contains_eager(HumanTask.instance))
                              .order_by(*(order or (HumanTask.created_at, HumanTask.id)))
                              .offset((page - 1) * per_page).limit(per_page)).all()
    return TaskList(list(rows), total)


def first_open_task(user: User, instance_id: int) -> HumanTask | None:
    """The task of a case that ``user`` may work now, if any (e.g. right after opening it)."""
    candidates = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                            HumanTask.state == "ready").order_by(HumanTask.id))
    for task in candidates:
        try:
            check_may_act(user, task, record_refusal=False)
        except (NotAuthorized, Conflict):
            continue
        return task
    return None


def api_tasks(user: User, limit: int = 200) -> list[tuple[HumanTask, dict]]:
    """What the caller may act on now, with each task's form schema."""
    result = []
    for task in my_tasks(user, per_page=limit).rows:
        bundle = deployment.bundle_for(task.instance.definition)
        result.append((task, bundle.forms.get(task.form or "", {})))
    return result
