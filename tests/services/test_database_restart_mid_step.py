"""The database restarting in the middle of a step: an approver rejects a case through the web page, the engine
runs, the step's rows (the task completed, its audit rows, the queued documents job, the case's new state) are
flushed, and the connection dies at the commit. On PostgreSQL for real: every backend of the database is
terminated (``pg_terminate_backend``, from a second connection) just before the COMMIT is sent, as a restart
would; on SQLite the commit raises the error a disconnect raises.

What must hold: the answer is a retryable 503 with ``Retry-After``, never a 500; nothing of the step is stored
(the task still open, no audit row of it, no job in the outbox, the case as it was); the pool recovers (the next
request works, without a 503 of its own); the same completion sent again goes through and is audited once; and
another case worked meanwhile moves on.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError
from sqlalchemy.pool import NullPool

from app.extensions import db
from app.models import AuditEvent, HumanTask, ProcessInstance, QueuedJob
from app.services.admin import users
from tests.factories import case_at, open_task, snapshot

REJECT = {"decision": "reject", "comment": "经营风险过高"}


def _terminate_every_backend() -> list[int]:
    """A restart, as the app sees it: every session of the database ends (waiting until each has); returns
    their process ids."""
    killer = create_engine(db.engine.url, poolclass=NullPool)
    try:
        with killer.connect() as other:
            pids = (
                other.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                    )
                )
                .scalars()
                .all()
            )
            ended = [
                pid
                for pid in pids
                if other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar()
            ]
    finally:
        killer.dispose()
    return ended


def _restart(connection) -> None:
    """The restart at the step's commit: its own session ends with all the others."""
    assert connection.connection.dbapi_connection.info.backend_pid in _terminate_every_backend()


def _disconnected(kind: type[DBAPIError], message: str):
    """A connection lost at COMMIT, simulated: its transaction goes with it (the server never saw the COMMIT),
    and the driver's error comes up as SQLAlchemy raises a disconnect (``connection_invalidated``)."""

    def raise_it(connection) -> None:
        connection.connection.dbapi_connection.rollback()
        orig = (sqlite3.OperationalError if kind is OperationalError else sqlite3.ProgrammingError)(message)
        raise kind("COMMIT", None, orig, connection_invalidated=True)

    return raise_it


@pytest.fixture
def dies_at_commit(app):
    """``dies_at_commit(task_id, fault)``: the commit that completes the task meets ``fault`` (called with the
    connection), once: the engine has run and the step's rows are flushed (the engine's ``commit`` event fires
    just before the DBAPI COMMIT). Returns what that transaction held when it died; it stays empty if no
    transaction ever held the task completed."""
    armed: list = []
    flushed: dict = {}

    def commit(connection) -> None:
        if not armed:
            return
        task_id, fault = armed[0]
        if connection.execute(select(HumanTask.state).where(HumanTask.id == task_id)).scalar() != "completed":
            return
        armed.clear()
        flushed["completions"] = connection.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.event_type == "task.completed")
        ).scalar()
        flushed["jobs"] = connection.execute(select(func.count()).select_from(QueuedJob)).scalar()
        fault(connection)

    event.listen(db.engine, "commit", commit)

    def arm(task_id: int, fault):
        armed.append((task_id, fault))
        return flushed

    yield arm
    event.remove(db.engine, "commit", commit)


def _completions(task_id: int | None = None) -> int:
    """How many ``task.completed`` rows the audit log holds (of ``task_id``, if given)."""
    payloads = db.session.scalars(select(AuditEvent.payload).where(AuditEvent.event_type == "task.completed"))
    return sum(1 for p in payloads if task_id is None or p["task_id"] == task_id)


def _stored(instance_id: int, task_id: int) -> tuple:
    """Everything of the case the step would change, and what the step adds elsewhere."""
    instance = db.session.get(ProcessInstance, instance_id)
    jobs = db.session.scalar(select(func.count()).select_from(QueuedJob))
    return (
        snapshot(instance_id),
        instance.status,
        instance.state,
        instance.summary,
        db.session.get(HumanTask, task_id).state,
        _completions(task_id),
        jobs,
    )


def _reject(approver, task_id: int, version: int):
    """The sign-off form sent (the case's version as the page showed it)."""
    return approver.post(f"/tasks/{task_id}", data={**REJECT, "_version": str(version)})


@pytest.fixture
def two_cases(app, deployed, people, login, no_worker, monkeypatch):
    """Two cases at their sign-off, and approver3 signed in; a decided case queues its documents job (kept in
    the outbox: no worker takes it)."""
    monkeypatch.setitem(app.config, "DOCUMENTS_ON_DECISION", True)
    first = case_at("approval", people.officer)
    other = case_at("approval", people.officer2, index=2)
    approver = login("approver3")
    approver.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return first, other, approver


def _fault_of_this_database():
    if db.engine.dialect.name == "postgresql":
        return _restart
    return _disconnected(OperationalError, "disk I/O error")


def test_the_database_restarting_mid_step_answers_503_keeps_nothing_and_the_retry_goes_through_once(
    two_cases, dies_at_commit
):
    case, other, approver = two_cases
    case_id, other_id = case.id, other.id
    task_id = open_task(case.id, "approval_signoff").id
    before = _stored(case.id, task_id)
    assert before[4:] == ("ready", 0, 0)
    completions = _completions()
    flushed = dies_at_commit(task_id, _fault_of_this_database())

    response = _reject(approver, task_id, case.version)

    assert flushed == {"completions": completions + 1, "jobs": 1}  # one transaction held the whole step
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"].isdigit()
    assert "The database is not answering" in response.get_data(as_text=True)
    db.session.remove()  # the request's teardown (it ran in the test's app context)
    assert _stored(case_id, task_id) == before  # nothing of the step: task open, no audit row, no job

    page = approver.get(f"/tasks/{task_id}")  # the pool recovered: the next request is answered
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True)
    other = db.session.get(ProcessInstance, other_id)
    other_task = open_task(other.id, "approval_signoff").id
    assert _reject(approver, other_task, other.version).status_code == 302  # another case moves on meanwhile

    again = _reject(approver, task_id, before[0].version)  # the person sends the same form again

    assert again.status_code == 302, again.status_code
    db.session.expire_all()
    assert db.session.get(HumanTask, task_id).state == "completed"
    assert db.session.get(ProcessInstance, case_id).outcome == "rejected"
    assert _completions(task_id) == 1
    assert sorted(db.session.scalars(select(QueuedJob.args))) == [[case_id], [other_id]]
    assert db.session.get(HumanTask, other_task).state == "completed"


@pytest.mark.parametrize("kind", [OperationalError, ProgrammingError])
def test_a_connection_lost_at_commit_is_a_retryable_503_whatever_the_driver_calls_it(
    two_cases, dies_at_commit, kind
):
    """SQLite reports a connection closed under it as a ProgrammingError ("Cannot operate on a closed
    database."), which SQLAlchemy marks ``connection_invalidated``: the database went away, not the request."""
    case, _other, approver = two_cases
    case_id, task_id = case.id, open_task(case.id, "approval_signoff").id
    token = users.issue_token("approver3")
    before = _stored(case_id, task_id)
    dies_at_commit(task_id, _disconnected(kind, "Cannot operate on a closed database."))

    response = approver.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={"data": REJECT},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 503 and response.is_json, response.status_code
    assert response.headers["Retry-After"].isdigit()
    db.session.remove()
    assert _stored(case_id, task_id) == before


def test_after_a_restart_while_idle_the_first_request_finds_a_live_connection(two_cases):
    """The restart between two requests: the pool's idle connections are all dead, and nobody has seen a
    disconnect yet. Each is pinged as it is checked out (``pool_pre_ping``): the first request is answered."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to restart")
    case, _other, approver = two_cases
    task_id = open_task(case.id, "approval_signoff").id
    with db.engine.connect(), db.engine.connect():  # two idle connections in the pool after this
        pass
    db.session.remove()
    assert len(_terminate_every_backend()) >= 2
    page = approver.get(f"/tasks/{task_id}")
    assert page.status_code == 200, page.status_code
