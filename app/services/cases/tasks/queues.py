"""The queues of human tasks a user works from: my tasks, the sign-off inbox, the next task of a queue,
the task of a case the user may work now, and the API's list.

A queue leaves out what ``check_may_act`` would refuse: approvals of cases the user investigated (审贷分离)
or above their authority, and every approval while they hold no valid qualification.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import contains_eager

from app.errors import Conflict, NotAuthorized
from app.extensions import db
from app.models import HumanTask, ProcessInstance, User
from app.services.approval import qualifications, staffing
from app.services.approval.eligibility import worked_on
from app.services.approval.lanes import APPROVAL_LANES
from app.services.cases.inbox_filters import DUE_STATES, InboxFilter
from app.services.cases.tasks.access import check_may_act
from app.services.design.deployment import deployment
from app.services.shared.nullsafe import differs, outside


@dataclass(frozen=True)
class TaskList:
    rows: list[HumanTask]
    total: int
    hidden_above_authority: int = 0
    blocked: str | None = None  # why the user's approvals are withheld (no valid qualification)
    due_counts: dict[str, int] = field(default_factory=dict)  # of the whole queue: overdue, near
    waiting: list[staffing.Waiting] = field(default_factory=list)  # cases nobody may act on (see staffing)


def _base(user: User):
    return (
        select(HumanTask)
        .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
        .where(HumanTask.state == "ready")
    )


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
    may_approve = (
        differs(ProcessInstance.started_by_id, user.id)
        & _not_investigated_by(user)
        & or_(HumanTask.required_level.is_(None), HumanTask.required_level <= (user.authority_level or 0))
    )
    if qualifications.refusal(user):
        may_approve = false()  # without a valid qualification no approval is theirs to do
    query = _base(user).where(
        or_(HumanTask.assignee_id == user.id, (HumanTask.assignee_id.is_(None)) & HumanTask.lane.in_(groups)),
        or_(outside(HumanTask.lane, APPROVAL_LANES), may_approve),
    )
    listing = _page(query, page, per_page)
    return TaskList(listing.rows, listing.total, waiting=staffing.for_user(user))


def sign_off_inbox(
    user: User, *, page: int = 1, per_page: int = 50, filters: InboxFilter | None = None
) -> TaskList:
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
    hidden = (
        db.session.scalar(
            select(func.count()).select_from(query.where(HumanTask.required_level > level).subquery())
        )
        or 0
    )
    queue = query.where(or_(HumanTask.required_level.is_(None), HumanTask.required_level <= level))
    result = _page(filters.apply(queue), page, per_page, filters.order())
    due_counts = {
        state: db.session.scalar(
            select(func.count()).select_from(InboxFilter(due=state).apply(queue).subquery())
        )
        or 0
        for state in DUE_STATES
    }
    return TaskList(result.rows, result.total, hidden, due_counts=due_counts)


def next_in_queue(user: User, filters: InboxFilter) -> HumanTask | None:
    """The first task of the user's sign-off queue as ``filters`` narrow and order it (working through
    the queue one task after another)."""
    rows = sign_off_inbox(user, per_page=1, filters=filters).rows
    return rows[0] if rows else None


def _page(query, page: int, per_page: int, order: tuple | None = None) -> TaskList:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.options(contains_eager(HumanTask.instance))
        .order_by(*(order or (HumanTask.created_at, HumanTask.id)))
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return TaskList(list(rows), total)


def first_open_task(user: User, instance_id: int) -> HumanTask | None:
    """The task of a case that ``user`` may work now, if any (e.g. right after opening it)."""
    candidates = db.session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == "ready")
        .order_by(HumanTask.id)
    )
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
