"""Monitoring imports: every row checked, good rows stored and bad ones reported with row, column and
reason, the file kept; Chinese headers, GB18030 and XLSX files; a run that stopped half-way resumes."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pandas as pd
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.errors import InvalidInput, NotAuthorized
from app.extensions import db
from app.language import shown
from app.models import AuditEvent, Customer, MonitoringImport, Observation
from app.services.admin.demo import demo_uscc
from app.services.monitoring import import_downloads, imports, observations

HEADER = "uscc,observed_on,utilization_pct,days_past_due,overdue_interest,enforcement_records,negative_news,external_rating"


@pytest.fixture(autouse=True)
def _english(app):
    """Reasons are compared in English (the default language is Chinese)."""
    with force_locale("en"):
        yield


def customers(count: int = 3) -> list[Customer]:
    made = [
        Customer(
            name=f"监测客户{i}",
            uscc=demo_uscc(100 + i),
            industry="manufacturing",
            size="medium",
            credit_record="clean",
        )
        for i in range(count)
    ]
    db.session.add_all(made)
    db.session.commit()
    return made


def imported(user, text: str, name: str = "obs.csv", encoding: str = "utf-8") -> MonitoringImport:
    return imports.run(imports.upload(user, name, text.encode(encoding)).id)


def reasons(job: MonitoringImport) -> dict[tuple[int, str], str]:
    return {(e["row"], e["column"]): shown(e["reason"]) for e in job.errors}


def test_good_rows_are_stored_and_each_bad_row_is_reported_with_row_column_and_reason(app, people):
    a, b, c = customers()
    future = (date.today() + timedelta(days=3)).isoformat()
    rows = [
        f"{a.uscc},2026-10-31,96.5,0,0,0,no,AA",  # 2: good
        f'{b.uscc},2026/10/31,88,3,"1,200",1,yes,A',  # 3: good (a date with slashes, grouped number)
        "91310000MA9999999X,2026-10-31,50,0,0,0,no,",  # 4: no such customer
        f"{c.uscc},31.10.2026,50,0,0,0,no,",  # 5: not a date
        f"{c.uscc},2026-10-30,-5,0,0,0,no,",  # 6: negative
        f"{c.uscc},2026-10-29,50,2.5,0,0,no,",  # 7: not whole
        f"{c.uscc},2026-10-28,50,0,lots,0,no,",  # 8: not a number
        f"{c.uscc},2026-10-27,50,0,0,0,maybe,",  # 9: not yes/no
        f"{c.uscc},2026-10-26,50,0,0,0,no,Z",  # 10: unknown rating
        f"{c.uscc},{future},50,0,0,0,no,",  # 11: in the future
        f"{c.uscc},2026-10-25,,,,,,",  # 12: no figure
        f"{a.uscc},2026-10-31,10,0,0,0,no,",  # 13: same customer and date as row 2
        ",2026-10-24,10,0,0,0,no,",  # 14: no credit code
        f"{c.uscc},2026-10-23,2000,0,0,0,no,",  # 15: above the bound
    ]
    job = imported(people.officer, "\n".join([HEADER, *rows]))
    assert (job.status, job.total_rows, job.done_rows, job.stored_rows, job.error_rows) == (
        "done",
        14,
        14,
        2,
        12,
    ), job.errors
    got = reasons(job)
    assert got[(4, "uscc")] == "no customer has this credit code"
    assert got[(5, "observed_on")] == "a date such as 2026-11-30"
    assert got[(6, "utilization_pct")] == "not negative"
    assert got[(7, "days_past_due")] == "a whole number"
    assert got[(8, "overdue_interest")] == "a number"
    assert got[(9, "negative_news")] == "yes or no"
    assert got[(10, "external_rating")].startswith("one of AAA")
    assert got[(11, "observed_on")] == "not in the future"
    assert got[(12, "observed_on")] == "an observation needs at least one figure"
    assert got[(13, "observed_on")] == "the same customer and date as row 2"
    assert got[(14, "uscc")] == "required"
    assert got[(15, "utilization_pct")] == "at most 1,000"
    stored = {o.customer_id: o for o in db.session.scalars(select(Observation))}
    assert set(stored) == {a.id, b.id}
    assert stored[b.id].overdue_interest == 1200 and stored[b.id].negative_news is True
    assert stored[b.id].observed_on == date(2026, 10, 31) and stored[b.id].source == "import"
    assert stored[b.id].import_id == job.id and stored[b.id].recorded_by_id == people.officer.id
    assert db.session.get(MonitoringImport, job.id).content.startswith(
        b"uscc,observed_on"
    )  # the file is kept
    csv_text = import_downloads.errors_csv(job).decode("utf-8-sig")
    assert "4,uscc (统一社会信用代码),no customer has this credit code" in csv_text
    done = db.session.scalar(select(AuditEvent).where(AuditEvent.event_type == "monitoring.imported"))
    assert done.payload["stored"] == 2 and done.payload["refused"] == 12 and done.actor_name == "officer"


def test_an_observation_already_stored_is_refused_and_kept_as_it_was(app, people):
    [a] = customers(1)
    imported(people.officer, f"{HEADER}\n{a.uscc},2026-10-31,80,0,0,0,no,")
    again = imported(people.officer, f"{HEADER}\n{a.uscc},2026-10-31,99,0,0,0,no,")
    assert reasons(again) == {(2, "observed_on"): "this customer already has an observation on this date"}
    assert db.session.scalar(select(Observation.utilization_pct)) == 80


def test_chinese_headers_in_a_gb18030_csv_and_an_xlsx_file_are_read(app, people):
    a, b = customers(2)
    text = (
        f"统一社会信用代码,观测日期,额度使用率（%）,负面舆情,舆情摘要\n{a.uscc},2026-09-30,97,是,被列入失信名单传闻\n"
        f"{a.uscc},2026-09-29,97,是,{'长' * 501}\n"
    )
    job = imported(people.risk, text, "监测.csv", "gb18030")
    assert (job.status, job.stored_rows) == ("done", 1)
    assert reasons(job) == {(3, "news_note"): "at most 500 characters"}
    note = db.session.scalar(select(Observation.news_note).where(Observation.customer_id == a.id))
    assert note == "被列入失信名单传闻"
    buffer = io.BytesIO()
    pd.DataFrame(
        {"uscc": [b.uscc, b.uscc], "observed_on": ["2026-09-30", "2026-13-01"], "days_past_due": [15, 1]}
    ).to_excel(buffer, index=False)
    xlsx = imports.run(imports.upload(people.risk, "监测.xlsx", buffer.getvalue()).id)
    assert (xlsx.status, xlsx.stored_rows, reasons(xlsx)) == (
        "done",
        1,
        {(3, "observed_on"): "a date such as 2026-11-30"},
    )


@pytest.mark.parametrize(
    "text, reason",
    [
        ("uscc,observed_on,colour\nx,2026-01-01,red\n", "unknown columns: colour"),
        ("observed_on,days_past_due\n2026-01-01,3\n", "the column uscc is missing"),
        ("uscc,uscc,observed_on\nx,x,2026-01-01\n", "a column appears twice"),
    ],
)
def test_a_file_that_cannot_be_imported_fails_as_a_whole_naming_why(app, people, text, reason):
    job = imported(people.officer, text)
    assert job.status == "failed" and reason in shown(job.failure) and job.stored_rows == 0
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_only_a_csv_or_xlsx_is_accepted_and_only_from_officers_and_risk_managers(app, people):
    with pytest.raises(InvalidInput) as refused:
        imports.upload(people.officer, "obs.exe", b"MZ")
    assert "file" in refused.value.errors
    with pytest.raises(NotAuthorized):
        imports.upload(people.approver1, "obs.csv", b"uscc,observed_on\n")


def test_a_run_that_stopped_half_way_resumes_after_the_last_batch_stored(app, people, monkeypatch):
    made = customers(5)
    lines = [HEADER] + [f"{c.uscc},2026-10-{day:02d},{day},0,0,0,no," for c in made for day in (1, 2)]
    job = imports.upload(people.officer, "big.csv", "\n".join(lines).encode())
    monkeypatch.setattr(imports, "BATCH", 4)
    real, calls = imports._store_batch, []

    def crash_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "_store_batch", crash_on_the_second)
    with pytest.raises(RuntimeError):
        imports.run(job.id)
    db.session.rollback()
    halfway = db.session.get(MonitoringImport, job.id)
    assert (halfway.status, halfway.done_rows, halfway.stored_rows) == ("running", 4, 4)
    monkeypatch.setattr(imports, "_store_batch", real)
    finished = imports.run(job.id)
    assert (finished.status, finished.done_rows, finished.stored_rows, finished.error_rows) == (
        "done",
        10,
        10,
        0,
    )
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 10


def test_one_observation_from_the_screen_and_several_from_the_api_all_or_none(app, people):
    a, b = customers(2)
    one = observations.record(
        people.officer, {"uscc": a.uscc, "observed_on": "2026-11-01", "days_past_due": "12"}
    )
    assert (one.days_past_due, one.source) == (12, "screen")
    with pytest.raises(InvalidInput) as refused:
        observations.record_many(
            people.officer,
            [
                {"uscc": b.uscc, "observed_on": "2026-11-01", "utilization_pct": 40},
                {
                    "uscc": a.uscc,
                    "observed_on": "2026-11-01",
                    "utilization_pct": 50,
                },  # a has one on that date
                {"uscc": b.uscc, "observed_on": "2026-11-02", "tax_arrears": -1},
            ],
        )
    assert refused.value.errors == {
        "observations[1].observed_on": "this customer already has an observation on this date",
        "observations[2].tax_arrears": "not negative",
    }
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 1  # none of the three
    made = observations.record_many(
        people.officer,
        [{"uscc": b.uscc, "observed_on": "2026-11-01", "utilization_pct": 40, "negative_news": True}],
        "api",
    )
    assert made[0].negative_news is True and made[0].source == "api"
