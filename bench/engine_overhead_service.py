"""The service path of ``engine_overhead.py``: each case through ``cases.start_case`` and ``tasks.complete``
on a fresh SQLite file with the app's own settings, only the service calls timed (``Stopwatch``), their SQL
counted, the engine adapter's entry points timed inside them (``Meter``), the audit chain verified at the end.

Imported by the bench after it puts the repository root on ``sys.path``.
"""

from __future__ import annotations

import cProfile
import io
import logging
import os
import pstats
import time
from collections import Counter
from types import SimpleNamespace

from sqlalchemy import bindparam, event, func, select

import app.engine as engine_pkg
from app import create_app
from app.engine.runtime import serialization
from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance, User
from app.services.admin.demo import COMPLIANT
from app.services.cases import cases, tasks
from app.services.design.deployment import deployment
from bench.engine_overhead_cases import (
    PROCESS,
    SIGNOFF,
    intake_for,
    normalized_inputs,
    review_for,
    statements_for,
)
from config import TestingConfig
from tests import factories


class Meter:
    """Wraps the engine adapter's entry points (as the services look them up) to time them."""

    def __init__(self) -> None:
        self.engine_s = 0.0
        self.dump_s = 0.0
        self.load_s = 0.0
        self.calls = Counter()
        self.statements = 0

    def install(self) -> None:
        for name in ("start", "complete_task", "task_data"):
            setattr(engine_pkg, name, self._timed(getattr(engine_pkg, name), name, "engine_s"))
        serialization.dump = self._timed(serialization.dump, "dump", "dump_s")
        serialization.load = self._timed(serialization.load, "load", "load_s")

    def _timed(self, fn, name, slot):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                setattr(self, slot, getattr(self, slot) + time.perf_counter() - t0)
                self.calls[name] += 1

        wrapper.__wrapped__ = fn
        return wrapper

    def uninstall(self) -> None:
        for name in ("start", "complete_task", "task_data"):
            setattr(engine_pkg, name, getattr(engine_pkg, name).__wrapped__)
        serialization.dump = serialization.dump.__wrapped__
        serialization.load = serialization.load.__wrapped__


_OPEN_TASK = select(HumanTask.id, HumanTask.required_level).where(
    HumanTask.instance_id == bindparam("instance_id"),
    HumanTask.task_spec == bindparam("spec"),
    HumanTask.state == "ready",
)


def open_task(instance_id: int, spec: str):
    """The harness finding the task to click (in the browser, the link on the case page). It is
    not a service call, so it runs outside the stopwatch, as does its SQL. It ends its transaction,
    so the service call still pays for taking a connection and beginning one, as a request does."""
    row = db.session.execute(_OPEN_TASK, {"instance_id": instance_id, "spec": spec}).one()
    db.session.commit()
    return row


class Stopwatch:
    """Times the service calls only, and says when one is running (for counting their SQL)."""

    def __init__(self) -> None:
        self.total = 0.0
        self.running = False

    def __call__(self, fn, *args, **kwargs):
        self.running, t0 = True, time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - t0
            self.running = False


def drive_service_case(index: int, people, timed: Stopwatch) -> int:
    officer = people.officer if index % 2 == 0 else people.officer2
    instance = timed(cases.start_case, officer, PROCESS)
    iid = instance.id
    timed(tasks.complete, officer, open_task(iid, "application_intake").id, intake_for(index))
    timed(tasks.complete, officer, open_task(iid, "financial_statements").id, statements_for(index))
    timed(
        tasks.complete,
        officer,
        open_task(iid, "review_proposal").id,
        review_for(instance.summary["proposed_limit"]),
    )
    signoff = open_task(iid, "approval_signoff")
    approver = {1: people.approver1, 2: people.approver2}.get(signoff.required_level or 3, people.approver3)
    timed(tasks.complete, approver, signoff.id, SIGNOFF)
    timed(tasks.complete, people.compliance, open_task(iid, "compliance_checklist").id, COMPLIANT)
    return iid


class ServiceRun:
    """The service path on its own fresh SQLite file (the app's own pragmas), driven in chunks
    interleaved with the baselines, so a busy machine slows every path alike."""

    def __init__(self, tmp: str, profile: bool, cache_size: int) -> None:
        self.path = f"{tmp}/bench-{cache_size}.sqlite"
        self.cache_size = cache_size
        self.app = create_app(
            TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{self.path}", ENGINE_CACHE_SIZE=cache_size
        )
        logging.getLogger().setLevel(logging.WARNING)
        self.profiler = cProfile.Profile() if profile else None
        self.meter = Meter()
        self.elapsed = 0.0
        self.chunks: list[float] = []
        self.stopwatch = Stopwatch()
        self.statements = 0
        self.instance_ids: list[int] = []
        with self.app.app_context():
            db.create_all()
            self.user_ids = {name: user.id for name, user in vars(factories.people()).items()}
            factories.deploy()
            self.forms = deployment.bundle_for(deployment.latest_definition(PROCESS)).forms
            self.audit_before = 1  # users' rows are counted below
            self._chunk([10_000])  # warm-up (bundle cache, statement cache), not counted
            self.elapsed, self.statements, self.instance_ids, self.chunks = 0.0, 0, [], []
            self.meter = Meter()
            self.audit_before = db.session.scalar(select(func.count(AuditEvent.id)))

    def _count(self, *_args, **_kwargs) -> None:
        if self.stopwatch.running:
            self.statements += 1

    def _chunk(self, indices) -> None:
        engine_pkg.configure_cache(self.cache_size)  # the cache is per process, and two apps share this one
        self.meter.install()
        event.listen(db.engine, "before_cursor_execute", self._count)
        if self.profiler:
            self.profiler.enable()
        # a request loads its user: so does each chunk (its session ended with the last app context)
        people = SimpleNamespace(**{name: db.session.get(User, uid) for name, uid in self.user_ids.items()})
        self.stopwatch = Stopwatch()
        try:
            for i in indices:
                self.instance_ids.append(drive_service_case(i, people, self.stopwatch))
        finally:
            self.chunks.append(self.stopwatch.total)
            self.elapsed += self.chunks[-1]
            if self.profiler:
                self.profiler.disable()
            event.remove(db.engine, "before_cursor_execute", self._count)
            self.meter.uninstall()

    def chunk(self, indices) -> None:
        with self.app.app_context():
            self._chunk(indices)

    def finish(self) -> dict:
        n = len(self.instance_ids)
        with self.app.app_context():
            audit_rows = db.session.scalar(select(func.count(AuditEvent.id))) - self.audit_before
            rows = db.session.execute(
                select(ProcessInstance.status, ProcessInstance.outcome, ProcessInstance.state).where(
                    ProcessInstance.id.in_(self.instance_ids)
                )
            ).all()
            out = dict(
                elapsed=self.elapsed,
                chunks=self.chunks,
                cases=n,
                outcomes=Counter((r[0], r[1]) for r in rows),
                sizes=[len(r[2]) for r in rows],
                size_bytes=[len(r[2].encode()) for r in rows],
                meter=self.meter,
                statements=self.statements,
                audit_rows=audit_rows,
                chain=audit_mod_verify(),
                db_bytes=os.path.getsize(self.path),
                normalized=normalized_inputs(self.forms, n),
            )
            db.session.remove()
            db.engine.dispose()
        if self.profiler:
            buf = io.StringIO()
            pstats.Stats(self.profiler, stream=buf).strip_dirs().sort_stats("cumulative").print_stats(15)
            out["profile"] = buf.getvalue()
        return out


def audit_mod_verify() -> str:
    from app.services.audit.audit import verify_chain

    report = verify_chain()
    return (
        f"audit chain ok ({report.checked} rows)"
        if report.ok
        else f"AUDIT CHAIN BROKEN at {report.broken_at}"
    )
