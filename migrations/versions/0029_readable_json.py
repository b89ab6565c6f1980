"""SQLite's case search index reads a case summary its JSON functions refuse (a NaN or an infinity stored
before the input guards) as no name and no credit code, instead of failing the write that touches the
row: the triggers of case_text extract through ``json_valid``. Nothing changes on PostgreSQL (JSONB never
held NaN).

Revision ID: 0029_readable_json
Revises: 0028_job_outbox
"""

from alembic import op

revision = "0029_readable_json"
down_revision = "0028_job_outbox"
branch_labels = None
depends_on = None


def _triggers(value: str) -> list[str]:
    name, uscc = value.format(row="new", key="customer_name"), value.format(row="new", key="uscc")
    changed = " OR ".join(f"{value.format(row='old', key=k)} IS NOT {value.format(row='new', key=k)}"
                          for k in ("customer_name", "uscc"))
    return [
        "DROP TRIGGER IF EXISTS case_text_insert",
        "DROP TRIGGER IF EXISTS case_text_update",
        "CREATE TRIGGER case_text_insert AFTER INSERT ON process_instance BEGIN "
        f"INSERT INTO case_text(rowid, reference, customer_name, uscc) VALUES (new.id, new.reference, {name}, {uscc}); END",
        "CREATE TRIGGER case_text_update AFTER UPDATE ON process_instance WHEN old.reference IS NOT new.reference "
        f"OR {changed} BEGIN DELETE FROM case_text WHERE rowid = old.id; "
        f"INSERT INTO case_text(rowid, reference, customer_name, uscc) VALUES (new.id, new.reference, {name}, {uscc}); END",
    ]


READABLE = "json_extract(CASE WHEN json_valid({row}.summary) THEN {row}.summary END, '$.{key}')"
PLAIN = "json_extract({row}.summary, '$.{key}')"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _triggers(READABLE):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _triggers(PLAIN):
            op.execute(statement)
