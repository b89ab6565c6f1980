"""The database away or its audit chain held: a clear retryable answer (503 with Retry-After: JSON on the API,
a readable page in the browser), never a 500 HTML page to an API client, never a hang for every user."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.errors import Unavailable
from app.extensions import db
from app.services.audit import audit
from config import TestingConfig

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1


@pytest.fixture
def away(app):
    """An app whose database cannot be reached (its requests run in their own app context)."""
    down = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=UNREACHABLE,
        WTF_CSRF_ENABLED=False,
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    yield down.test_client()
    app.extensions["celery"].set_default()  # the session's app stays the one jobs run in


def test_the_api_answers_503_json_with_retry_after_when_the_database_is_away(away):
    response = away.get("/api/v1/tasks", headers={"Authorization": "Bearer some-token"})
    assert response.status_code == 503 and response.is_json
    assert response.headers["Retry-After"].isdigit()
    assert "database" in response.get_json()["error"].lower() or "数据库" in response.get_json()["error"]


def test_a_page_answers_a_readable_503_when_the_database_is_away(away):
    response = away.post(
        "/login", data={"username": "officer", "password": "x"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "<title>" in page and "The database is not answering" in page


def test_openapi_documents_503_with_retry_after(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "Unavailable" in document["components"]["responses"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete") and path != "/openapi.json":
                assert operation["responses"]["503"] == {"$ref": "#/components/responses/Unavailable"}, (
                    path,
                    method,
                )
    assert "Retry-After" in document["components"]["responses"]["Unavailable"]["headers"]


def test_a_stalled_holder_of_the_audit_chain_makes_writes_answer_503_within_the_bound(
    app, people, monkeypatch, client
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the chain's advisory lock is PostgreSQL's; SQLite waits its busy timeout")
    monkeypatch.setitem(app.config, "AUDIT_LOCK_SECONDS", 1)
    other = create_engine(db.engine.url)
    stalled = other.connect()
    try:
        stalled.execute(text("SELECT pg_advisory_lock(7301001)"))  # a frozen worker holding the chain
        began = time.monotonic()
        audit.record("test.event", people.admin)
        with pytest.raises(Unavailable):
            db.session.commit()
        assert time.monotonic() - began < 3
        db.session.rollback()
        began = time.monotonic()
        response = client.post("/login", data={"username": "officer", "password": "wrong"})  # audited
        assert response.status_code == 503 and response.headers["Retry-After"] == "5"
        assert time.monotonic() - began < 3
    finally:  # the lock is the session's: it must go with this connection even when an assert fails
        stalled.execute(text("SELECT pg_advisory_unlock_all()"))
        stalled.close()
        other.dispose()
    db.session.rollback()  # the request ran in the test's app context: its session ends with the context
    audit.record("test.event", people.admin)  # released: writes go through again
    db.session.commit()


def test_on_sqlite_a_held_write_lock_makes_an_audited_write_answer_503_within_the_bound(app, tmp_path):
    """The embedded default: the web server and the worker share a file, whose connections wait 30 s for a lock;
    the audit chain waits only ``AUDIT_LOCK_SECONDS``."""
    path = tmp_path / "held.sqlite"
    shared = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", AUDIT_LOCK_SECONDS=1)
    try:
        with shared.app_context():
            db.create_all()
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # a stalled process holding the write lock
            began = time.monotonic()
            audit.record("test.event", None)
            with pytest.raises(Unavailable):
                db.session.commit()
            assert time.monotonic() - began < 3
            db.session.rollback()
            holder.execute("ROLLBACK")
            holder.close()
            audit.record("test.event", None)  # released: writes go through again
            db.session.commit()
            assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30000  # the connection's own
            db.session.remove()
    finally:
        app.extensions["celery"].set_default()
