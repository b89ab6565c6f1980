"""Deployed process definitions, running instances and their projections.

The serialized workflow lives only in ``ProcessInstance.state``. Everything a list or an
inbox shows is read from the projection tables beside it (``HumanTask``, ``Timer``,
``DecisionLog``) and from ``ProcessInstance.summary``, written in the same transaction as
the state, so no list ever deserializes a workflow.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from app.models.base import JsonType, Model, utcnow


class ProcessDefinition(Model):
    """One deployed version of a BPMN process with the DMN and forms it uses."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_file: Mapped[str] = mapped_column(String(200))
    # The files are read once per process to build the cached bundle: a step loading its
    # instance's definition never reads (or parses) them.
    bpmn_xml: Mapped[str] = mapped_column(Text, deferred=True)
    dmn_files: Mapped[dict] = mapped_column(JsonType, deferred=True)  # file name -> XML text
    forms: Mapped[dict] = mapped_column(JsonType, deferred=True)  # file name -> JSON Schema
    # The BPMN files of the processes its call activities call (file name -> XML), deployed with it.
    called_files: Mapped[dict] = mapped_column(JsonType, deferred=True, default=dict, server_default="{}")
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    deployed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(String(500))

    deployed_by = relationship("User")


class ProcessInstance(Model):
    """A running or finished case: one credit file driven by one deployed definition.

    ``version`` is its optimistic lock, one mechanism only: every write of the row is an explicit
    compare-and-set, ``UPDATE ... WHERE version = :expected`` (``app.services.cases.instance_row``). The
    ORM does not version it (no ``version_id_col``) and refuses to flush a change to it (below).
    """

    __tablename__ = "process_instance"
    __table_args__ = (
        Index("ix_process_instance_status_updated", "status", "updated_at"),
        # one periodic review running per customer, however many schedulers start them
        Index(
            "ux_process_instance_one_review",
            "customer_id",
            unique=True,
            sqlite_where=text("process_id = 'periodic_review' AND status = 'running'"),
            postgresql_where=text("process_id = 'periodic_review' AND status = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # running | completed | error | withdrawn
    outcome: Mapped[str | None] = mapped_column(
        String(32)
    )  # the end it came to: approved, rejected, withdrawn…
    current_step: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[dict] = mapped_column(JsonType, default=dict)
    # What the last step left waiting, so the next step reads back only rows that changed.
    open_tasks: Mapped[list] = mapped_column(JsonType, default=list)
    waiting_timers: Mapped[int] = mapped_column(default=0)
    state: Mapped[str] = mapped_column(Text, deferred=True)  # lists never load it
    serializer_version: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(default=1)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]

    definition: Mapped[ProcessDefinition] = relationship()
    started_by = relationship("User")
    customer = relationship("Customer")


@event.listens_for(ProcessInstance, "before_update")
def _written_only_by_compare_and_set(_mapper, _connection, target: ProcessInstance) -> None:
    """An attribute of a case set and flushed would write the row without its version check."""
    session = object_session(target)  # always the one flushing
    if session is not None and session.is_modified(target, include_collections=False):
        raise RuntimeError(
            f"process instance {target.id} is written only by instance_row.write "
            "(compare-and-set on its version), never by an ORM flush"
        )


class HumanTask(Model):
    """Projection: every user task that became ready, with its lane, assignee and outcome."""

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_queue", "state", "lane", "created_at"),
        Index("ix_human_task_assignee", "assignee_id", "state", "created_at"),
        # 审贷分离: "cases this user worked" is asked on every sign-off inbox page.
        Index("ix_human_task_completed_by", "completed_by_id", "lane", "instance_id"),
        UniqueConstraint("instance_id", "task_uuid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_uuid: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16))  # ready | completed | cancelled
    required_level: Mapped[int | None]
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    claimed_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]  # its SLA: when the boundary timer on it fires
    warn_at: Mapped[datetime | None]  # from then on it shows as near its due time
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    submitted: Mapped[dict | None] = mapped_column(JsonType)
    # A task of a multi-instance step (one sampled case, one finding): the case and customer it is about
    about: Mapped[dict | None] = mapped_column(JsonType)

    instance: Mapped[ProcessInstance] = relationship()
    assignee = relationship("User", foreign_keys=[assignee_id])
    completed_by = relationship("User", foreign_keys=[completed_by_id])


class Timer(Model):
    """Projection: a waiting BPMN timer and when it is due."""

    __tablename__ = "timer"
    __table_args__ = (
        Index("ix_timer_due", "status", "due_at"),
        UniqueConstraint("instance_id", "task_uuid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    task_uuid: Mapped[str] = mapped_column(String(36))
    task_spec: Mapped[str] = mapped_column(String(100))
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | fired | cancelled | failed
    fired_at: Mapped[datetime | None]


class DecisionLog(Model):
    """Projection: one DMN evaluation inside a process, with what went in and came out."""

    __tablename__ = "decision_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id", ondelete="CASCADE"), index=True
    )
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    task_spec: Mapped[str] = mapped_column(String(100))
    decision_id: Mapped[str] = mapped_column(String(100))
    dmn_file: Mapped[str] = mapped_column(String(200))
    hit_policy: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[dict] = mapped_column(JsonType)
    matched_rules: Mapped[list] = mapped_column(JsonType)
    outputs: Mapped[dict | list | None] = mapped_column(JsonType)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
