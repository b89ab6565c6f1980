"""Alembic migrations build the schema the models describe, from an empty database."""

from __future__ import annotations

from flask_migrate import check, upgrade
from sqlalchemy import inspect, text

from app.extensions import db
from tests.migrated import insert_customer, migrated_app


def test_upgrade_builds_an_empty_database_that_matches_the_models(tmp_path, capsys):
    with migrated_app(tmp_path / "fresh.sqlite"):
        tables = set(inspect(db.engine).get_table_names())
        assert {"process_instance", "human_task", "timer", "decision_log", "audit_event"} <= tables
        check()  # exits non-zero (SystemExit) if the models need a migration that does not exist
        indexes = {i["name"] for i in inspect(db.engine).get_indexes("human_task")}
        assert "ix_human_task_completed_by" in indexes


def test_the_text_indexes_are_built_filled_and_kept_by_the_migration(tmp_path):
    """Migration 0021 indexes the cases and customers already stored, and its triggers keep the index after."""
    with migrated_app(tmp_path / "old.sqlite", "0017_draft_authors"):
        with db.engine.begin() as connection:
            insert_customer(connection, "2026-01-01")
            connection.execute(
                text(
                    "INSERT INTO process_instance (id, reference, definition_id, process_id, status, summary, open_tasks, "
                    "waiting_timers, state, serializer_version, version, started_at, updated_at) VALUES (5, "
                    "'CA-2026-0000005', 1, 'credit_application', 'running', '{\"customer_name\": \"星河精密机械有限公司\"}', "
                    "'[]', 0, '{}', 'x', 1, '2026-01-01', '2026-01-01')"
                )
            )
        upgrade()
        with db.engine.begin() as connection:

            def hits(sql: str) -> list:
                return [r[0] for r in connection.execute(text(sql))]

            assert hits("SELECT rowid FROM case_text WHERE case_text MATCH '\"精密机械\"'") == [5]
            assert hits("SELECT rowid FROM customer_text WHERE customer_text MATCH '\"精密机械\"'") == [7]
            connection.execute(text("UPDATE customer SET name = '长江航运有限公司' WHERE id = 7"))
            assert hits("SELECT rowid FROM customer_text WHERE customer_text MATCH '\"精密机械\"'") == []
            assert hits("SELECT rowid FROM customer_text WHERE customer_text MATCH '\"长江航运\"'") == [7]
            assert set(hits("SELECT name FROM sqlite_master WHERE type = 'trigger'")) >= {
                "case_text_insert",
                "case_text_update",
                "case_text_delete",
                "customer_text_insert",
                "customer_text_update",
                "customer_text_delete",
            }


def test_the_facility_dates_are_backfilled_from_each_decision(tmp_path):
    """Migration 0034 dates the facilities already recorded: start = the Beijing date of the decision, maturity =
    start + term (a short month's last day past its end); a rejection, or a facility without a term, keeps none."""
    with migrated_app(tmp_path / "dated.sqlite", "0032_customer_contacts"):
        with db.engine.begin() as connection:
            insert_customer(connection, "2025-01-01")
            for case_id in (1, 2, 3, 4):
                connection.execute(
                    text(
                        "INSERT INTO process_instance (id, reference, definition_id, process_id, status, summary, "
                        "open_tasks, waiting_timers, state, serializer_version, version, started_at, updated_at) VALUES "
                        f"({case_id}, 'CA-2025-00000{case_id}', 1, 'credit_application', 'completed', '{{}}', '[]', 0, "
                        "'{}', 'x', 1, '2025-01-01', '2025-01-01')"
                    )
                )
            for row_id, status, term, decided in (
                (1, "active", 1, "2025-01-30 17:30:00"),  # 31 Jan in Beijing
                (2, "frozen", 12, "2024-02-29 02:00:00"),
                (3, "rejected", 12, "2025-03-01 02:00:00"),
                (4, "active", None, "2025-03-01 02:00:00"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO facility (id, customer_id, instance_id, status, limit_amount, term_months, decided_at) "
                        f"VALUES ({row_id}, 7, {row_id}, '{status}', 1000000, {term or 'NULL'}, '{decided}')"
                    )
                )
        upgrade()
        with db.engine.begin() as connection:
            dated = {
                row[0]: (row[1], row[2])
                for row in connection.execute(
                    text("SELECT id, start_on, matures_on FROM facility ORDER BY id")
                )
            }
        assert dated == {
            1: ("2025-01-31", "2025-02-28"),
            2: ("2024-02-29", "2025-02-28"),
            3: (None, None),
            4: ("2025-03-01", None),
        }
