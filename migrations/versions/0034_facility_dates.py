"""Facilities that end: each facility's start and maturity date (到期日), the facility a renewal (续授信)
replaces, and the renewal case proposed for it (one per facility, ever).

The facilities already recorded are dated from their decision: start = the Beijing date of ``decided_at``,
maturity = start + ``term_months`` (the last day of the month when the start's day is past the month's end:
31 January + 1 month = 28 or 29 February). A rejection, or a facility without a term, keeps no dates. The
backfill is a Python loop in batches, the same on SQLite and PostgreSQL (SQLite's ``date(x, '+1 month')``
runs past a short month's end).

Revision ID: 0034_facility_dates
Revises: 0032_customer_contacts
"""

import calendar
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0034_facility_dates"
down_revision = "0033_attachments"
branch_labels = None
depends_on = None

BATCH = 1000
BEIJING = timedelta(hours=8)  # decided_at is naive UTC; China keeps no daylight saving time


def _add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def upgrade():
    with op.batch_alter_table("facility") as batch:
        batch.add_column(sa.Column("start_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("matures_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("renews_facility_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("renewal_case_id", sa.Integer(), nullable=True))
        batch.create_index("ix_facility_status_maturity", ["status", "matures_on"])
        batch.create_unique_constraint("uq_facility_renews_facility_id", ["renews_facility_id"])
        batch.create_unique_constraint("uq_facility_renewal_case_id", ["renewal_case_id"])
        batch.create_foreign_key("fk_facility_renews_facility_id_facility", "facility", ["renews_facility_id"],
                                 ["id"], ondelete="SET NULL")
        batch.create_foreign_key("fk_facility_renewal_case_id_process_instance", "process_instance",
                                 ["renewal_case_id"], ["id"], ondelete="SET NULL")
    _backfill()


def _backfill() -> None:
    connection = op.get_bind()
    facility = sa.table("facility", sa.column("id", sa.Integer), sa.column("status", sa.String),
                        sa.column("term_months", sa.Integer), sa.column("decided_at", sa.DateTime),
                        sa.column("start_on", sa.Date), sa.column("matures_on", sa.Date))
    dated = (sa.update(facility).where(facility.c.id == sa.bindparam("row_id"))
             .values(start_on=sa.bindparam("start"), matures_on=sa.bindparam("maturity")))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(facility.c.id, facility.c.decided_at, facility.c.term_months)
            .where(facility.c.id > last, facility.c.status != "rejected", facility.c.decided_at.is_not(None))
            .order_by(facility.c.id).limit(BATCH)).all()
        if not rows:
            return
        values = []
        for row_id, decided_at, term in rows:
            start = (_as_datetime(decided_at) + BEIJING).date()
            values.append({"row_id": row_id, "start": start, "maturity": _add_months(start, term) if term else None})
        connection.execute(dated, values)
        last = rows[-1][0]


def downgrade():
    with op.batch_alter_table("facility") as batch:
        batch.drop_constraint("fk_facility_renewal_case_id_process_instance", type_="foreignkey")
        batch.drop_constraint("fk_facility_renews_facility_id_facility", type_="foreignkey")
        batch.drop_constraint("uq_facility_renewal_case_id", type_="unique")
        batch.drop_constraint("uq_facility_renews_facility_id", type_="unique")
        batch.drop_index("ix_facility_status_maturity")
        batch.drop_column("renewal_case_id")
        batch.drop_column("renews_facility_id")
        batch.drop_column("matures_on")
        batch.drop_column("start_on")
