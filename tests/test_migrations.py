"""Alembic migrations build the schema the models describe, from an empty database."""

from __future__ import annotations

from flask_migrate import check, upgrade
from sqlalchemy import inspect

from app import create_app
from app.extensions import db
from config import TestingConfig


def test_upgrade_builds_an_empty_database_that_matches_the_models(tmp_path, capsys):
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/fresh.sqlite")
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"process_instance", "human_task", "timer", "decision_log", "audit_event"} <= tables
        check()  # exits non-zero (SystemExit) if the models need a migration that does not exist
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("human_task")}
        assert "ix_human_task_completed_by" in indexes
        db.session.remove()
        db.engine.dispose()
