"""The typed frames every KPI is computed from, each read in one query over the projections (never a workflow).

- ``tasks``: the human tasks that ended in the period (completed, or cancelled), with their case's process,
  route and opener, and the sign-off's decision. A task **with a due time** is *on time* when it was completed by
  then, *late* when completed after it or cancelled at or after it (its timer fired: a sign-off escalated, a
  review gone overdue); one cancelled earlier (the case withdrawn) is neither.
- ``decisions``: the credit decisions of the period (a facility recorded, approved or rejected), with the case's
  start: turnaround is the case's ``started_at`` → the facility's ``decided_at``.
- ``quality``: the grade and class changes of the period on the customers in reach, with their officer and
  whether the change is a downgrade or a new NPL (不良: 次级/可疑/损失) within 24 months of an approval.

Durations are in days (floats). The period is the filters' Beijing dates, inclusive.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.sql import Select

from app.extensions import db
from app.localtime import to_utc
from app.models import Customer, EarlyWarning, Facility, HumanTask, ProcessInstance, RatingChange
from app.models.base import readable_json
from app.services.analytics.filters import Filters
from app.services.analytics.kpi_rights import KpiReach

GRADES = ("AAA", "AA", "A", "BBB", "BB", "B", "CCC", "C")  # best first
CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
NPL_CLASSES = ("substandard", "doubtful", "loss")  # 不良贷款
NPL_WINDOW_DAYS = 730  # a new NPL counts against the approval when within 24 months of it
SIGN_OFF = "approval_signoff"
DAY_SECONDS = 86400.0


def bounds(filters: Filters) -> tuple[datetime, datetime]:
    """The period as stored (naive UTC) times: from the first day's Beijing midnight to the day after the last."""
    start = to_utc(datetime.combine(filters.date_from, time.min))
    end = to_utc(datetime.combine(filters.date_to + timedelta(days=1), time.min))
    return start, end


def _scoped(query: Select, reach: KpiReach, filters: Filters) -> Select:
    """``query`` (joined to ProcessInstance) limited to the reader's cases and the filters' branch and segment."""
    query = query.where(reach.narrowed(filters.branch).cases())
    if filters.segment is not None:
        query = query.where(
            ProcessInstance.customer_id.in_(select(Customer.id).where(Customer.segment == filters.segment))
        )
    return query


def _frame(query: Select) -> pd.DataFrame:
    """The query's rows as a frame, built column by column (a list of row objects is many times slower)."""
    result = db.session.execute(query)
    keys = list(result.keys())
    rows = result.all()
    if not rows:
        return pd.DataFrame(columns=keys)
    return pd.DataFrame(
        {key: list(values) for key, values in zip(keys, zip(*rows, strict=True), strict=True)}
    )


def _days(end: pd.Series, start: pd.Series) -> pd.Series:
    return (pd.to_datetime(end) - pd.to_datetime(start)).dt.total_seconds() / DAY_SECONDS


def tasks(reach: KpiReach, filters: Filters) -> pd.DataFrame:
    """The human tasks that ended in the period, one row each (columns: see the query), with ``days`` (ready →
    ended), ``on_time`` and ``late`` (booleans: neither for a task without a due time) and ``person`` (who did it,
    else who held it)."""
    start, end = bounds(filters)
    decision = readable_json(HumanTask.submitted, db.engine.dialect.name)["decision"].as_string()
    route = readable_json(ProcessInstance.summary, db.engine.dialect.name)["approval_route"].as_string()
    query = _scoped(
        select(
            HumanTask.id.label("task_id"),
            HumanTask.instance_id,
            ProcessInstance.process_id,
            ProcessInstance.reference,
            ProcessInstance.started_by_id,
            route.label("route"),
            HumanTask.task_spec,
            HumanTask.name.label("task_name"),
            HumanTask.state,
            HumanTask.required_level,
            HumanTask.created_at,
            HumanTask.completed_at,
            HumanTask.due_at,
            HumanTask.completed_by_id,
            HumanTask.assignee_id,
            decision.label("decision"),
        )
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(
            HumanTask.state.in_(("completed", "cancelled")),
            HumanTask.completed_at >= start,
            HumanTask.completed_at < end,
        ),
        reach,
        filters,
    )
    frame = _frame(query)
    frame["days"] = (
        _days(frame["completed_at"], frame["created_at"]) if len(frame) else pd.Series(dtype=float)
    )
    due = frame["due_at"].notna()
    done = frame["state"] == "completed"
    ended_past_due = frame["completed_at"] > frame["due_at"]
    frame["on_time"] = due & done & ~ended_past_due
    frame["late"] = due & ((done & ended_past_due) | (~done & (frame["completed_at"] >= frame["due_at"])))
    frame["person"] = frame["completed_by_id"].fillna(frame["assignee_id"])
    frame["escalated"] = (frame["task_spec"] == SIGN_OFF) & ~done & frame["late"]
    frame["returned"] = (frame["task_spec"] == SIGN_OFF) & done & (frame["decision"] == "return")
    return frame


def decisions(reach: KpiReach, filters: Filters) -> pd.DataFrame:
    """The credit decisions recorded in the period: ``approved`` (bool), ``days`` from intake to decision, the
    opener (``started_by_id``), the route and the approving ``decided_by_id``."""
    start, end = bounds(filters)
    route = readable_json(ProcessInstance.summary, db.engine.dialect.name)["approval_route"].as_string()
    query = _scoped(
        select(
            Facility.instance_id,
            ProcessInstance.reference,
            ProcessInstance.started_by_id,
            ProcessInstance.started_at,
            Facility.customer_id,
            Facility.status,
            Facility.limit_amount,
            Facility.decided_by_id,
            Facility.decided_at,
            route.label("route"),
        )
        .join(ProcessInstance, ProcessInstance.id == Facility.instance_id)
        .where(Facility.decided_at >= start, Facility.decided_at < end),
        reach,
        filters,
    )
    frame = _frame(query)
    frame["approved"] = frame["status"] != "rejected"
    frame["days"] = _days(frame["decided_at"], frame["started_at"]) if len(frame) else pd.Series(dtype=float)
    frame["route"] = frame["route"].fillna("single")
    return frame


def open_cases(reach: KpiReach, filters: Filters) -> pd.DataFrame:
    """The credit applications running now (whatever the period), with the step each waits at."""
    query = _scoped(
        select(
            ProcessInstance.id.label("instance_id"),
            ProcessInstance.reference,
            ProcessInstance.current_step,
            ProcessInstance.started_by_id,
            ProcessInstance.started_at,
        ).where(ProcessInstance.process_id == "credit_application", ProcessInstance.status == "running"),
        reach,
        filters,
    )
    return _frame(query)


def _customers(reach: KpiReach, filters: Filters) -> ColumnElement[bool]:
    """The customers in reach (by their officer) and in the filters' segment, as a condition on ``Customer``."""
    cond = reach.narrowed(filters.branch).customers()
    if filters.segment is not None:
        cond = and_(cond, Customer.segment == filters.segment)
    return cond


def quality(reach: KpiReach, filters: Filters) -> pd.DataFrame:
    """The grade and class changes of the period on the customers in reach: ``downgrade`` (a worse grade or
    class), ``new_npl`` (into 次级/可疑/损失 from a performing class, within 24 months of an approved facility,
    whose ``approved_case`` it names) and the customer's ``officer_id``."""
    start, end = bounds(filters)
    query = (
        select(
            RatingChange.id,
            RatingChange.customer_id,
            Customer.name,
            Customer.officer_id,
            RatingChange.grade_before,
            RatingChange.grade_after,
            RatingChange.class_before,
            RatingChange.class_after,
            RatingChange.changed_at,
        )
        .join(Customer, Customer.id == RatingChange.customer_id)
        .where(RatingChange.changed_at >= start, RatingChange.changed_at < end, _customers(reach, filters))
    )
    frame = _frame(query)
    grade = {g: i for i, g in enumerate(GRADES)}
    klass = {c: i for i, c in enumerate(CLASSES)}
    worse_grade = frame["grade_after"].map(grade) > frame["grade_before"].map(grade)
    worse_class = frame["class_after"].map(klass) > frame["class_before"].map(klass)
    frame["downgrade"] = worse_grade | worse_class
    into_npl = frame["class_after"].isin(NPL_CLASSES) & ~frame["class_before"].isin(NPL_CLASSES)
    frame["approved_case"] = _approval_within(frame[into_npl]) if len(frame) else pd.Series(dtype=object)
    frame["new_npl"] = into_npl & frame["approved_case"].notna()
    return frame


def _approval_within(changes: pd.DataFrame) -> pd.Series:
    """For each change, the case of the latest approved facility of its customer decided within the window
    before it (None when there is none)."""
    if changes.empty:
        return pd.Series(dtype=object)
    rows = db.session.execute(
        select(Facility.customer_id, Facility.instance_id, Facility.decided_at).where(
            Facility.customer_id.in_(changes["customer_id"].unique().tolist()), Facility.status != "rejected"
        )
    ).all()
    found = {}
    for index, change in changes.iterrows():
        window = change["changed_at"] - timedelta(days=NPL_WINDOW_DAYS)
        hits = [r for r in rows if r[0] == change["customer_id"] and window <= r[2] <= change["changed_at"]]
        found[index] = max(hits, key=lambda r: r[2])[1] if hits else None
    return pd.Series(found, dtype=object)


def approvers_of(instance_ids: list[int]) -> pd.DataFrame:
    """Who signed the approval of each case (every level's approver who approved), one row per pair."""
    if not instance_ids:
        return pd.DataFrame(columns=["instance_id", "approver_id"])
    decision = readable_json(HumanTask.submitted, db.engine.dialect.name)["decision"].as_string()
    rows = db.session.execute(
        select(HumanTask.instance_id, HumanTask.completed_by_id)
        .where(
            HumanTask.instance_id.in_(instance_ids),
            HumanTask.task_spec == SIGN_OFF,
            HumanTask.state == "completed",
            decision == "approve",
        )
        .distinct()
    ).all()
    return pd.DataFrame(rows, columns=["instance_id", "approver_id"])


def warnings(reach: KpiReach, filters: Filters) -> pd.DataFrame:
    """The early warnings raised in the period on the customers in reach, with the customer's officer."""
    start, end = bounds(filters)
    query = (
        select(
            EarlyWarning.id,
            EarlyWarning.customer_id,
            Customer.name,
            Customer.officer_id,
            EarlyWarning.severity,
            EarlyWarning.detected_at,
        )
        .join(Customer, Customer.id == EarlyWarning.customer_id)
        .where(EarlyWarning.detected_at >= start, EarlyWarning.detected_at < end, _customers(reach, filters))
    )
    return _frame(query)


def count_of(frame: pd.DataFrame, column: str) -> int:
    return int(frame[column].sum()) if len(frame) else 0
