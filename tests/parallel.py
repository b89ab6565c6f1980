"""The suite in two processes (``pytest -n 2``, pytest-xdist): each process gets a database and a broker of its own.

Loaded with ``-p tests.parallel`` (pyproject's addopts), before ``config`` reads the environment. In a process that
xdist started (``PYTEST_XDIST_WORKER`` is ``gw0``, ``gw1`` ...), a PostgreSQL ``DATABASE_URL`` names the database
``<name>_gw0`` (created if missing), and a Redis broker and result backend move to databases of their own, so that
the Celery worker one process starts never takes another process's jobs, nor reads another's tables. On SQLite
(in memory, one per process) and in a run without xdist nothing changes.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _own_database(url: str) -> str:
    """The worker's own PostgreSQL database beside ``url``'s, created if missing."""
    base = make_url(url)
    own = base.set(database=f"{base.database}_{WORKER}")
    engine = create_engine(base, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
            ).scalar()
            if not found:
                connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    finally:
        engine.dispose()
    return own.render_as_string(hide_password=False)


def _own_redis(url: str, offset: int) -> str:
    """``redis://host:port/N`` moved to database ``N + offset``."""
    head, _, number = url.rpartition("/")
    return f"{head}/{int(number or 0) + offset}"


def _isolate() -> None:
    number = int(WORKER.removeprefix("gw"))
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith("postgresql"):
        os.environ["DATABASE_URL"] = _own_database(database)
    offset = 2 * (number + 1)  # gw0: 2 and 3, gw1: 4 and 5 ... beside CI's 0 and 1
    for name in ("CELERY_BROKER_URL", "CREDIT_CELERY_RESULT_BACKEND"):
        if os.environ.get(name, "").startswith("redis://"):
            os.environ[name] = _own_redis(os.environ[name], offset)


if WORKER.startswith("gw"):
    _isolate()
