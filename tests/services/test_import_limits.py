"""An import row over a limit is reported as a bad row naming the limit, not a failed import (a kept message's value is
kept as JSON keeps it); a file past the import limits (rows, columns, cells, unpacked size; a decompression bomb) is
refused naming the limit, measured before it is parsed, and a large one is never parsed in a web request."""

from __future__ import annotations

import io
import time

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.extensions import db
from app.language import shown
from app.models import Customer, MonitoringImport, Observation
from app.services.admin.demo import demo_uscc
from app.services.monitoring import import_files, imports

HEADER = "uscc,observed_on,overdue_interest"


@pytest.fixture(autouse=True)
def _english(app):
    with force_locale("en"):
        yield


def test_an_amount_above_the_limit_is_a_bad_row(app, people):
    customer = Customer(
        name="监测客户", uscc=demo_uscc(100), industry="manufacturing", size="medium", credit_record="clean"
    )
    db.session.add(customer)
    db.session.commit()
    text = f"{HEADER}\n{customer.uscc},2026-01-31,2000000000000000\n"
    job = imports.upload(people.risk, "obs.csv", text.encode())
    imports.run(job.id)  # raised TypeError (a Decimal in the kept message's values): the job stayed "running"
    job = db.session.get(type(job), job.id)
    assert job.status == "done", (job.status, job.failure)
    [error] = job.errors
    assert error["column"] == "overdue_interest" and shown(error["reason"]) == "at most 1,000,000,000,000,000"


def test_a_kept_messages_values_are_kept_as_json_keeps_them(app):
    from datetime import date
    from decimal import Decimal

    from app.language import kept

    message = kept("at most %(n)s", n=Decimal("1.5"))
    assert message.stored() == {"msgid": "at most %(n)s", "params": {"n": "1.5"}}
    assert kept("the same customer and date as row %(row)s", row=date(2026, 1, 2)).stored()["params"] == {
        "row": "2026-01-02"
    }


# -- files past the limits: measured before they are parsed, refused naming the limit ------------------------


def workbook(rows: int, dimension: str | None = None, padding: int = 0) -> bytes:
    """A minimal XLSX whose first sheet holds ``rows`` rows of two cells under the header (uscc, observed_on),
    declaring ``dimension`` (or none), with ``padding`` bytes of spaces unpacked: kilobytes on the wire."""
    import zipfile

    body = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>X</t></is></c><c r="B{n}"><v>1</v></c></row>'
        for n in range(2, rows + 2)
    )
    header = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>uscc</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>observed_on</t></is></c></row>'
    )
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main">{declared}<sheetData>{header}{body}</sheetData>{" " * padding}</worksheet>'
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def refusal(user, name: str, content: bytes) -> str:
    from app.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        imports.upload(user, name, content)
    assert db.session.scalar(select(func.count()).select_from(MonitoringImport)) == 0  # nothing kept
    return refused.value.errors["file"]


def test_an_xlsx_declaring_more_rows_than_the_limit_is_refused_before_it_is_parsed(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1000)
    bomb = workbook(100_000, "A1:B100001")
    assert len(bomb) < 1_000_000  # under a megabyte holding a hundred thousand rows
    monkeypatch.setattr(import_files, "load_workbook", unparsed)
    started = time.perf_counter()
    reason = refusal(people.risk, "bomb.xlsx", bomb)
    assert reason == "more than 1,000 rows (the limit, CREDIT_IMPORT_MAX_ROWS)"
    assert time.perf_counter() - started < 1
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1_000_000)
    monkeypatch.setitem(app.config, "IMPORT_MAX_CELLS", 1000)
    assert (
        refusal(people.risk, "bomb.xlsx", bomb)
        == "more than 1,000 cells (the limit, CREDIT_IMPORT_MAX_CELLS)"
    )


def test_an_xlsx_unpacking_past_the_limit_is_refused_from_its_zip_directory(app, people, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED", 8 * 2**20)
    bomb = workbook(1, "A1:B2", padding=64 * 2**20)  # 64 MB of spaces
    assert len(bomb) < 200_000
    monkeypatch.setattr(import_files, "load_workbook", unparsed)
    assert (
        refusal(people.risk, "bomb.xlsx", bomb)
        == "64 MB unpacked, more than 8 MB (the limit, CREDIT_IMPORT_MAX_UNPACKED)"
    )
    monkeypatch.setattr(import_files, "MAX_MEMBERS", 3)
    assert "at most 3 parts" in refusal(people.risk, "many.xlsx", workbook(1))


def test_an_xlsx_whose_dimension_lies_is_counted_in_the_job_and_failed_naming_the_limit(
    app, people, monkeypatch, no_worker
):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1000)
    job = imports.submit(
        people.risk, "liar.xlsx", workbook(5000, "A1:B2")
    )  # its directory and dimension pass
    assert job.status == "queued"  # megabytes unpacked: never parsed in the request
    monkeypatch.setattr(import_files, "load_workbook", unparsed)  # counted without being parsed
    failed = imports.run(job.id)
    assert (
        failed.status == "failed"
        and shown(failed.failure) == "more than 1,000 rows (the limit, CREDIT_IMPORT_MAX_ROWS)"
    )
    assert (failed.stored_rows, db.session.scalar(select(func.count()).select_from(Observation))) == (0, 0)


def test_an_xlsx_whose_dimension_understates_its_rows_is_imported_whole(app, people):
    """openpyxl's read-only mode trusts the dimension: rows past it were silently dropped."""
    customer = Customer(
        name="监测客户", uscc=demo_uscc(100), industry="manufacturing", size="medium", credit_record="clean"
    )
    db.session.add(customer)
    db.session.commit()
    job = imports.run(imports.upload(people.risk, "liar.xlsx", workbook(5, "A1:B2")).id)
    assert (job.status, job.total_rows, job.done_rows, job.error_rows) == (
        "done",
        5,
        5,
        5,
    )  # "X" is no credit code


@pytest.mark.parametrize(
    "setting, limit, text, reason",
    [
        (
            "IMPORT_MAX_ROWS",
            10,
            HEADER + "\n" + "x,2026-01-01,1\n" * 11,
            "more than 10 rows (the limit, CREDIT_IMPORT_MAX_ROWS)",
        ),
        (
            "IMPORT_MAX_COLUMNS",
            100,
            ",".join(["uscc"] * 101) + "\n",
            "more than 100 columns (the limit, CREDIT_IMPORT_MAX_COLUMNS)",
        ),
        (
            "IMPORT_MAX_CELLS",
            20,
            HEADER + "\n" + "x,2026-01-01,1\n" * 7,
            "more than 20 cells (the limit, CREDIT_IMPORT_MAX_CELLS)",
        ),
    ],
)
def test_a_csv_past_a_limit_is_refused_at_upload_naming_the_limit(
    app, people, monkeypatch, setting, limit, text, reason
):
    monkeypatch.setitem(app.config, setting, limit)
    assert refusal(people.risk, "big.csv", text.encode()) == reason


def test_a_csv_row_wider_than_the_limit_is_refused_in_the_job_before_a_row_is_stored(
    app, people, monkeypatch
):
    customer = Customer(
        name="监测客户", uscc=demo_uscc(100), industry="manufacturing", size="medium", credit_record="clean"
    )
    db.session.add(customer)
    db.session.commit()
    monkeypatch.setitem(app.config, "IMPORT_MAX_COLUMNS", 5)
    text = f"{HEADER}\n{customer.uscc},2026-01-31,1\n{customer.uscc},2026-02-28,1{',' * 10}\n"
    failed = imports.run(imports.upload(people.risk, "wide.csv", text.encode()).id)
    assert failed.status == "failed" and "CREDIT_IMPORT_MAX_COLUMNS" in shown(failed.failure)
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0


def test_a_small_file_that_unpacks_large_is_queued_by_the_upload_page_not_parsed_in_the_request(
    app, people, login, monkeypatch, no_worker
):
    bomb = workbook(5_000, "A1:B5001")
    assert len(bomb) < app.config["IMPORT_INLINE_BYTES"]  # small on the wire
    monkeypatch.setattr(import_files, "load_workbook", unparsed)
    monkeypatch.setattr(import_files, "count", unparsed)
    posted = login("risk").post(
        "/monitoring", data={"file": (io.BytesIO(bomb), "obs.xlsx")}, content_type="multipart/form-data"
    )
    assert posted.status_code == 302
    assert db.session.scalar(select(MonitoringImport.status)) == "queued"


def unparsed(*args, **kwargs):
    raise AssertionError("the file was parsed")
