"""A record stored with NaN or an infinity before the inputs were guarded (SQLite accepted them: Python writes
``NaN`` into JSON text) never makes a page fail for others: the case search, the inbox, the exceptions page,
the task page and the memo open, and show a dash where the number is."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.extensions import db
from tests.factories import case_routed, open_task
from tests.web.test_pages import text_of

JSON_COLUMNS = [
    ("process_instance", "summary"),
    ("process_instance", "state"),
    ("human_task", "submitted"),
    ("decision_log", "inputs"),
    ("audit_event", "payload"),
]


def store_not_a_number(word: str) -> None:
    """The requested amount and the proposed limit (CNY 5,000,000) written as ``word`` wherever they are
    stored, as SQLite kept them before the guards."""
    for table, column in JSON_COLUMNS:
        for key in ("requested_amount", "proposed_limit"):
            for colon in (": ", ":"):
                db.session.execute(
                    text(f"UPDATE {table} SET {column} = replace({column}, :old, :new)"),
                    {"old": f'"{key}"{colon}5000000', "new": f'"{key}"{colon}{word}'},
                )
    db.session.commit()
    stored = {
        f"{table}.{column}": db.session.scalar(
            text(f"SELECT count(*) FROM {table} WHERE {column} LIKE :w"), {"w": f"%{word}%"}
        )
        for table, column in JSON_COLUMNS
    }
    assert stored["process_instance.summary"] and stored["human_task.submitted"], stored


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_a_stored_not_a_number_breaks_no_page(as_user, people, app, word):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's JSONB never held NaN: only SQLite stored it")
    instance = case_routed("single", people.officer)
    task_id, case_id = open_task(instance.id, "approval_signoff").id, instance.id
    store_not_a_number(word)
    pages = [
        ("risk", "/cases"),
        ("risk", "/cases?q=华东"),
        ("risk", f"/cases/{case_id}"),
        ("approver2", "/inbox"),
        ("approver2", "/inbox?min_amount=1000&sort=amount_desc"),
        ("approver2", f"/tasks/{task_id}"),
        ("officer", f"/cases/{case_id}/memo"),
        ("compliance", "/audit/exceptions"),
        ("compliance", "/audit"),
        ("compliance", "/audit/export.csv"),
        ("compliance", "/audit/export.xlsx"),
        ("risk", "/customers"),
        ("officer", "/tasks"),
    ]
    for user, url in pages:
        response = as_user(user).get(url)
        assert response.status_code == 200, (url, text_of(response)[:500])
