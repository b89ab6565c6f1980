"""What the benches that measure the same pages at several sizes share (``customer_pages.py``, ``inbox.py``).

Each size is a database of its own: a SQLite file, or a PostgreSQL schema DROPPED and re-created (``public``
after it on the search path, where ``pg_trgm`` is created once for every schema). A call is timed as a new
request makes it (an empty identity map) and the SQL it issues is collected; the calls are interleaved, one call
of every page on every size, round after round after two warm-up rounds, so that a machine whose load changes
slows every size alike. Also: the p95 of a list of times, the plan of each distinct statement of a call, the
database URL with its password masked, and at the end the engines disposed of and the SQLite files removed.

Imported by the benches after they put the repository root on ``sys.path``.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from flask import Flask
from sqlalchemy import event

from app import create_app
from app.extensions import db
from config import TestingConfig

WARM_UP = 2


class Statements:
    """Collects the SQL a call issues (for counts and for the query plans)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []
        self.on = False

    def __call__(self, _conn, _cursor, statement, parameters, _context, _many) -> None:
        if self.on:
            self.seen.append((statement, parameters))


class Size(Protocol):
    """One size as a bench builds it: its app, its pages by name and the statements its engine issues."""

    size: int
    app: Flask
    pages: dict[str, Callable[[], object]]
    stmts: Statements


def fresh_app(url: str, schema: str | None) -> Flask:
    """An app on ``url`` with its tables created; with ``schema``, on that PostgreSQL schema, DROPPED and
    created anew."""
    options = (
        {"connect_args": {"options": f"-csearch_path={schema},public"}, "pool_pre_ping": True}
        if schema
        else {}
    )
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=options)
    with app.app_context():
        if schema:
            with db.engine.begin() as connection:
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        db.create_all()
    return app


def trigram_in_public(url: str) -> None:
    """pg_trgm once, in public, so that every size's schema sees its operator classes (the app falls back
    to scanning if it cannot be created)."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), db.engine.begin() as connection:
        try:
            with connection.begin_nested():
                connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        except Exception as exc:  # noqa: BLE001  (the figures then show search without the index)
            print(f"pg_trgm not created: {str(exc).splitlines()[0]}")
        db.engine.dispose()


def listen() -> Statements:
    """The statements the current app's engine issues, collected while ``on``."""
    stmts = Statements()
    event.listen(db.engine, "before_cursor_execute", stmts)
    return stmts


def timed(fn: Callable[[], object], stmts: Statements) -> tuple[float, list]:
    """One call as a new request would make it (empty identity map): seconds and the statements it issued."""
    db.session.remove()
    stmts.seen, stmts.on = [], True
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    stmts.on = False
    return elapsed, list(stmts.seen)


def interleaved(
    built: Sequence[Size], calls: int
) -> tuple[dict[str, dict[int, list[float]]], dict[str, dict[int, list]]]:
    """Every page of every size called once a round, ``calls`` measured rounds after the warm-up ones: the
    seconds of each call, and the statements of the last, by page name and size."""
    names = list(built[0].pages)
    times: dict[str, dict[int, list[float]]] = {n: {b.size: [] for b in built} for n in names}
    statements: dict[str, dict[int, list]] = {n: {} for n in names}
    for round_ in range(calls + WARM_UP):
        for b in built:
            with b.app.app_context():
                for name in names:
                    elapsed, seen = timed(b.pages[name], b.stmts)
                    if round_ >= WARM_UP:
                        times[name][b.size].append(elapsed)
                        statements[name][b.size] = seen
    return times, statements


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def explain(statements: list[tuple[str, Any]], width: int) -> list[str]:
    """The plan of each distinct statement shape of one call (the N+1 lazy loads shown once), each statement
    cut to ``width`` characters."""
    out, shapes = [], set()
    postgres = db.engine.dialect.name == "postgresql"
    connection = db.session.connection()
    for sql, params in statements:
        shape = re.sub(r"\s+", " ", sql)
        if shape in shapes:
            continue
        shapes.add(shape)
        rows = connection.exec_driver_sql(
            ("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + sql, params
        ).all()
        out.append(f"    SQL: {re.sub(r'SELECT .*? FROM', 'SELECT … FROM', shape, count=1)[:width]}")
        out += [f"      {r[0] if postgres else r[-1]}" for r in rows]
    db.session.rollback()
    return out


def masked(url: str) -> str:
    """The database URL with its password hidden."""
    return re.sub(r"//([^:@/]+):[^@]+@", r"//\1:***@", url)


def close(built: Sequence[Size], tmp: tempfile.TemporaryDirectory | None) -> None:
    """Every size's engine disposed of, and the folder of the SQLite files (``tmp``) removed."""
    for b in built:
        with b.app.app_context():
            db.session.remove()
            db.engine.dispose()
    if tmp:
        tmp.cleanup()
