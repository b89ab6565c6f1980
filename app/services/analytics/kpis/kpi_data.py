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

import io
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, DateTime, Float, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from app.extensions import db
from app.localtime import to_utc
from app.models import Customer, EarlyWarning, Facility, HumanTask, ProcessInstance, RatingChange
from app.models.base import readable_json
from app.risk.master_scale import GRADES
from app.services.analytics.filters import Filters
from app.services.analytics.kpis.kpi_rights import KpiReach
from app.services.shared.id_lists import among

CLASSES = ("normal", "special_mention", "substandard", "doubtful", "loss")
NPL_CLASSES = ("substandard", "doubtful", "loss")  # 不良贷款
NPL_WINDOW_DAYS = 730  # a new NPL counts against the approval when within 24 months of it
SIGN_OFF = "approval_signoff"
OFFICER_OF = aliased(Customer, name="case_customer")  # a case's customer, joined for its officer
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


def _case_people() -> tuple[Any, ...]:
    """Who a case belongs to, for ``KpiReach.case_rows`` to narrow a whole bank's frame: its opener, its customer
    and the customer's officer (the query outer-joins ``OFFICER_OF`` on the customer)."""
    return (
        ProcessInstance.started_by_id,
        ProcessInstance.customer_id,
        OFFICER_OF.officer_id.label("customer_officer_id"),
    )


def _frame(query: Select) -> pd.DataFrame:
    """The query's rows as a frame. On PostgreSQL the rows come as CSV through ``COPY ... TO STDOUT`` and are
    parsed by pandas' C reader (several times faster than a row object each); elsewhere they are built column by
    column from the rows."""
    if db.engine.dialect.name == "postgresql":
        return _copied(query)
    result = db.session.execute(query)
    keys = list(result.keys())
    rows = result.all()
    if not rows:
        return pd.DataFrame(columns=keys)
    return pd.DataFrame(
        {key: list(values) for key, values in zip(keys, zip(*rows, strict=True), strict=True)}
    )


def _copied(query: Select) -> pd.DataFrame:
    # its values stay parameters, bound by the driver (a list of an IN as one parameter each)
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
    times = [c.name for c in query.selected_columns if isinstance(c.type, DateTime)]
    buffer = io.BytesIO()
    raw = db.session.connection().connection.driver_connection
    assert raw is not None, "a live PostgreSQL connection"
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER true)", compiled.params) as copy,
    ):
        for chunk in copy:
            buffer.write(chunk)
    buffer.seek(0)
    frame = pd.read_csv(buffer)
    # ISO 8601 whatever the precision: a time on the second has no fraction in the CSV, and pandas' guess from
    # the first row would leave the column as text when another row has one
    for name in times:
        frame[name] = pd.to_datetime(frame[name], format="ISO8601")
    return frame


def day_span(end: Any, start: Any) -> Any:
    """``end - start`` in days, in SQL (so a million rows cross the wire as one float each, not two times)."""
    if db.engine.dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return cast(func.extract("epoch", end - start), Float) / DAY_SECONDS  # a float, not a numeric


def tasks(reach: KpiReach, filters: Filters, people: list[int] | None = None) -> pd.DataFrame:
    """The human tasks that ended in the period, one row each, computed in SQL: ``days`` (ready → ended),
    ``on_time`` and ``late`` (neither for a task without a due time), ``person`` (who did it, else who held it),
    ``returned`` (a sign-off that returned the case) and ``escalated`` (a sign-off its timer took away). With
    ``people``, only the tasks they did or held and those of the cases they opened."""
    start, end = bounds(filters)
    decision = readable_json(HumanTask.submitted, db.engine.dialect.name)["decision"].as_string()
    done = HumanTask.state == "completed"
    sign_off = HumanTask.task_spec == SIGN_OFF
    has_due = HumanTask.due_at.is_not(None)
    late = has_due & or_(
        done & (HumanTask.completed_at > HumanTask.due_at),
        ~done & (HumanTask.completed_at >= HumanTask.due_at),
    )
    query = _scoped(
        select(
            HumanTask.id.label("task_id"),
            HumanTask.instance_id,
            *_case_people(),
            HumanTask.task_spec,
            HumanTask.state,
            HumanTask.required_level,
            HumanTask.completed_at,
            day_span(HumanTask.completed_at, HumanTask.created_at).label("days"),
            case((has_due & done & (HumanTask.completed_at <= HumanTask.due_at), 1), else_=0).label(
                "on_time"
            ),
            case((late, 1), else_=0).label("late"),
            func.coalesce(HumanTask.completed_by_id, HumanTask.assignee_id).label("person"),
            case((sign_off & done & (decision == "return"), 1), else_=0).label("returned"),
            case((sign_off & ~done & late, 1), else_=0).label("escalated"),
        )
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .outerjoin(OFFICER_OF, OFFICER_OF.id == ProcessInstance.customer_id)
        .where(
            HumanTask.state.in_(("completed", "cancelled")),
            HumanTask.completed_at >= start,
            HumanTask.completed_at < end,
        ),
        reach,
        filters,
    )
    if people is not None:
        query = query.where(
            or_(
                func.coalesce(HumanTask.completed_by_id, HumanTask.assignee_id).in_(people),
                ProcessInstance.started_by_id.in_(people),
            )
        )
    frame = _frame(query)
    for flag in ("on_time", "late", "returned", "escalated"):
        frame[flag] = frame[flag].astype(bool)
    frame["days"] = frame["days"].astype(float)
    return frame


def names_of(frame: pd.DataFrame) -> dict[str, str]:
    """The name of each kind of task in ``frame`` (its diagram's "English / 中文"), read by one task of each."""
    if not len(frame):
        return {}
    firsts = [int(i) for i in frame.groupby("task_spec")["task_id"].min()]
    rows = db.session.execute(select(HumanTask.task_spec, HumanTask.name).where(HumanTask.id.in_(firsts)))
    return {str(spec): str(name) for spec, name in rows}


def references_of(instance_ids: list[int]) -> dict[int, str]:
    """The reference of each case (for the few rows a drill-down lists)."""
    if not instance_ids:
        return {}
    rows = db.session.execute(
        select(ProcessInstance.id, ProcessInstance.reference).where(ProcessInstance.id.in_(instance_ids))
    )
    return {int(i): str(r) for i, r in rows}


def limits_of(instance_ids: list[int]) -> dict[int, Decimal]:
    """The limit each case's decision recorded (for the few rows a drill-down lists)."""
    if not instance_ids:
        return {}
    rows = db.session.execute(
        select(Facility.instance_id, Facility.limit_amount).where(Facility.instance_id.in_(instance_ids))
    )
    return {int(i): limit for i, limit in rows}


def decisions(reach: KpiReach, filters: Filters, people: list[int] | None = None) -> pd.DataFrame:
    """The credit decisions recorded in the period: ``approved`` (bool), ``days`` from intake to decision, the
    opener (``started_by_id``) and the approval route. With ``people``, only the cases they opened."""
    start, end = bounds(filters)
    route = readable_json(ProcessInstance.summary, db.engine.dialect.name)["approval_route"].as_string()
    query = _scoped(
        select(
            Facility.instance_id,
            *_case_people(),
            case((Facility.status == "rejected", 0), else_=1).label("approved"),
            Facility.decided_at,
            day_span(Facility.decided_at, ProcessInstance.started_at).label("days"),
            route.label("route"),
        )
        .join(ProcessInstance, ProcessInstance.id == Facility.instance_id)
        .outerjoin(OFFICER_OF, OFFICER_OF.id == ProcessInstance.customer_id)
        .where(Facility.decided_at >= start, Facility.decided_at < end),
        reach,
        filters,
    )
    if people is not None:
        query = query.where(ProcessInstance.started_by_id.in_(people))
    frame = _frame(query)
    frame["approved"] = frame["approved"].astype(bool)
    frame["days"] = frame["days"].astype(float)
    frame["route"] = frame["route"].fillna("single")
    return frame


def open_cases(reach: KpiReach, filters: Filters) -> pd.DataFrame:
    """The credit applications running now (whatever the period), with the step each waits at."""
    query = _scoped(
        select(
            ProcessInstance.id.label("instance_id"),
            ProcessInstance.reference,
            ProcessInstance.current_step,
            *_case_people(),
            ProcessInstance.started_at,
        )
        .outerjoin(OFFICER_OF, OFFICER_OF.id == ProcessInstance.customer_id)
        .where(ProcessInstance.process_id == "credit_application", ProcessInstance.status == "running"),
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
            among(Facility.customer_id, changes["customer_id"].unique().tolist()),
            Facility.status != "rejected",
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
            among(HumanTask.instance_id, instance_ids),
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
