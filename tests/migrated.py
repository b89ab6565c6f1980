"""A database built by the migrations, for the tests of a migration: an app on a SQLite file of its own, upgraded
by Alembic to a revision (the schema as it was then), and the customer such a database held, written in SQL of
that schema. The test writes its older rows, upgrades the rest of the way and looks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Connection, text

from app import create_app
from app.extensions import db
from config import TestingConfig


@contextmanager
def migrated_app(path: Path, revision: str = "head") -> Iterator[Flask]:
    """Inside the app context of an app on the SQLite file ``path``, upgraded to ``revision``; its engine is
    disposed of after."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade(revision=revision)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def insert_customer(connection: Connection, created: str) -> None:
    """Customer 7, 星河精密机械有限公司, created (and last updated) on ``created``: the row the migrations' tests
    start from, in the columns a customer has had since before revision 0017."""
    connection.execute(
        text(
            "INSERT INTO customer (id, name, uscc, industry, size, credit_record, listed, watchlist, created_at, "
            "updated_at) VALUES (7, '星河精密机械有限公司', '91310000MA1FL0001X', 'manufacturing', 'medium', "
            f"'clean', 0, 0, '{created}', '{created}')"
        )
    )
