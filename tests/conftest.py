"""Shared fixtures: one app per session, an emptied database per test, users and clients.

The database is emptied (not rolled back) between tests so that a real Celery worker,
which reads through its own connection, sees exactly what a test committed.
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from pathlib import Path

import pytest
import tenacity
from flask import g
from flask.testing import FlaskClient
from flask_babel import refresh
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db, limiter
from app.localtime import local_today
from config import TestingConfig
from tests import factories


class OwnUserClient(FlaskClient):
    """A test client whose requests load their user from their own session cookie.

    Tests run inside one app context, so Flask-Login's cached ``g._login_user``, Flask-WTF's cached
    ``g.csrf_token`` (signed from another client's session: a form rendered from it fails with "The CSRF
    session token is missing.") and Flask-Babel's cached locale would otherwise carry over to another
    client's request.
    """

    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        refresh()  # the language is chosen per request too
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    app = create_app(
        TestingConfig,
        WTF_CSRF_ENABLED=False,
        SERVER_NAME="localhost",
        DOCUMENT_STORE=tmp_path_factory.mktemp("documents"),
    )  # attached documents' bytes
    app.test_client_class = OwnUserClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in _written(tables))
        for attempt in range(5):
            if not names:
                break
            try:
                db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                break
            except OperationalError:  # CI's worker still finishing a job of the test: PostgreSQL chose us
                db.session.rollback()
                if attempt == 4:
                    raise
                time.sleep(0.5)
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def clean_up() -> None:
    """The test's (or a module's) rows gone: its open transaction rolled back, every table it wrote emptied."""
    db.session.rollback()
    empty_tables()
    db.session.remove()


def _written(tables: list) -> list:
    """The tables a test wrote to: those holding rows, and those whose id sequence has handed out a number (rows
    added then deleted; TRUNCATE ... RESTART IDENTITY sets it back). One query: truncating every table after
    every test cost a quarter of a second each, most tests writing to none or a few."""
    holding = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {t.name})" for t in tables)
    numbered = (
        "SELECT owner.relname FROM pg_sequences s JOIN pg_class seq ON seq.relname = s.sequencename "
        "AND seq.relkind = 'S' JOIN pg_depend d ON d.objid = seq.oid AND d.deptype IN ('a', 'i') "
        "JOIN pg_class owner ON owner.oid = d.refobjid "
        "WHERE s.schemaname = current_schema() AND s.last_value IS NOT NULL"
    )
    found = set(db.session.scalars(text(f"{holding} UNION {numbered}")))
    return [t for t in tables if t.name in found]


@pytest.fixture(autouse=True)
def _clean_db(app):
    limiter.reset()  # failed log-ins counted by one test never hold up another's
    with app.app_context():
        yield
        clean_up()


@pytest.fixture(autouse=True)
def _today_when_run(request, monkeypatch):
    """A test module's ``TODAY`` is the Beijing date the test runs on, not the date it was collected on: a run
    that crosses midnight in Beijing (16:00 UTC) would otherwise compare yesterday's date with the app's today."""
    if isinstance(getattr(request.module, "TODAY", None), date):
        monkeypatch.setattr(request.module, "TODAY", local_today())


@pytest.fixture
def jobs_here(app, monkeypatch):
    """Celery jobs run in the test's own process, even in CI's run with a worker on Redis: for tests of a
    page that starts a job (the jobs tests use the real worker). A job left on the broker would otherwise
    run later, in the worker, against another test's data, or while the tables are being emptied."""
    monkeypatch.setitem(app.extensions["celery"].conf, "task_always_eager", True)


@pytest.fixture
def realtime_on(app, monkeypatch, jobs_here):
    """Real-time monitoring on (off in testing: most tests count what a check they run raises), its jobs run
    here."""
    monkeypatch.setitem(app.config, "MONITORING_REALTIME", True)


@pytest.fixture
def feed(app, monkeypatch):
    """The fake provider, served for the test, as every source's endpoint; quick retries and breaker."""
    from app.services.connectors import fake_provider, provider
    from app.services.connectors.sources import SOURCES

    served = fake_provider.Served(fake_provider.Feed())
    monkeypatch.setitem(app.config, "CONNECTOR_URLS", dict.fromkeys(SOURCES, served.url))
    monkeypatch.setitem(app.config, "CONNECTOR_TIMEOUT_SECONDS", 1)
    monkeypatch.setitem(app.config, "CONNECTOR_RETRIES", 2)
    monkeypatch.setitem(app.config, "CONNECTOR_BREAKER_FAILURES", 3)
    monkeypatch.setitem(app.config, "CONNECTOR_BREAKER_RESET_SECONDS", 30)
    monkeypatch.setattr(provider, "_breakers", {})
    monkeypatch.setattr(provider, "BACKOFF", tenacity.wait_none())  # the backoff, without its wait
    yield served.feed
    served.stop()


@pytest.fixture
def no_worker(monkeypatch):
    """No worker takes the jobs queued: they stay in the outbox, unsent (for tests of what waits for its job,
    or that run the job themselves)."""
    from app.services.shared import dispatch

    monkeypatch.setattr(dispatch, "relay", lambda ids: 0)


@pytest.fixture
def deployed(app):
    """credit_application deployed from workflows/ and rules/."""
    return factories.deploy()


@pytest.fixture
def people(app):
    """An officer, a second officer, approvers at levels 1-3 and one of each other role."""
    return factories.people()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """Log ``client`` in as a user (password from the factories)."""

    def do(username: str):
        response = client.post("/login", data={"username": username, "password": factories.PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


@pytest.fixture
def rules_copy(app, tmp_path, monkeypatch):
    """rules/ copied to a temporary directory that deployment reads instead."""
    target = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", target)
    monkeypatch.setitem(app.config, "RULES_DIR", str(target))
    return target


@pytest.fixture
def workflows_copy(app, tmp_path, monkeypatch):
    """workflows/ (the BPMN files and their process tests) copied to a temporary directory that deployment
    reads instead."""
    target = tmp_path / "workflows"
    shutil.copytree(Path(__file__).resolve().parents[1] / "workflows", target)
    monkeypatch.setitem(app.config, "WORKFLOWS_DIR", str(target))
    return target


@pytest.fixture
def workspace_copy(app, tmp_path, monkeypatch):
    """workflows/, rules/ and forms/ copied to a temporary directory that the designer's working copy
    and deployment read and write instead."""
    root = Path(__file__).resolve().parents[1]
    for kind, key in (("workflows", "WORKFLOWS_DIR"), ("rules", "RULES_DIR"), ("forms", "FORMS_DIR")):
        shutil.copytree(root / kind, tmp_path / kind)
        monkeypatch.setitem(app.config, key, str(tmp_path / kind))
    return tmp_path
