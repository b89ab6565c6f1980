"""Importing monitoring observations from CSV or XLSX (pandas): every row checked, good rows stored, bad
rows reported with row, column and reason, the file kept as uploaded.

A file is read in batches; each batch's rows and the import's progress commit together, so the progress
bar is exact and a run that stopped half-way (a worker crash) resumes after the last batch stored.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath

import pandas as pd
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from app.documents import sheets
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.inputs.text import escaped, text_problem
from app.language import kept, shown
from app.language import stored as kept_form
from app.models import MonitoringImport, Observation, User
from app.models.base import utcnow
from app.services import audit, observations
from app.services.rows import insert_rows

EXTENSIONS = (".csv", ".xlsx")
TEMPLATE_LANGUAGES = {"zh": "zh_CN", "en": "en"}  # the header row's language: Chinese headers, or the column names
KIND_HINTS = {  # what a template's notes say to enter, by the kind of column
    "text": _l("text"), "date": _l("a date such as 2026-11-30"), "number": _l("a number"),
    "integer": _l("a whole number"), "money": _l("an amount in CNY"), "boolean": _l("yes or no (%(yes)s or %(no)s also)", yes="是", no="否"),
    "rating": _l("one of %(values)s", values=", ".join(observations.RATINGS)),
}
BATCH = 500
MAX_ERRORS_KEPT = 50_000
FIRST_DATA_ROW = 2  # rows are numbered as a spreadsheet shows them: the header is row 1


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported (not a table, unknown columns, no credit code)."""


def upload(user: User, file_name: str, content: bytes) -> MonitoringImport:
    """Keep an uploaded file as an import waiting to run."""
    observations.check_role(user, write=True)
    name = PurePath(file_name or "").name
    if not name or PurePath(name).suffix.lower() not in EXTENSIONS:
        raise InvalidInput(_("The file cannot be imported."),
                           {"file": _("a .csv or .xlsx file, not %(name)s", name=name or "-")})
    if not content:
        raise InvalidInput(_("The file cannot be imported."), {"file": _("the file is empty")})
    job = MonitoringImport(file_name=name, content=content, uploaded_by_id=user.id, status="queued",
                           errors=[], uploaded_at=utcnow())
    db.session.add(job)
    db.session.flush()
    audit.record("monitoring.import_uploaded", user, import_id=job.id, file=name, size=len(content))
    db.session.commit()
    return job


def get(user: User, import_id: int) -> MonitoringImport:
    observations.check_role(user, write=False)
    job = db.session.get(MonitoringImport, import_id)
    if job is None:
        raise NotFound(_("No import %(id)s.", id=import_id))
    return job


def recent(user: User, limit: int = 20) -> list[MonitoringImport]:
    observations.check_role(user, write=False)
    return list(db.session.scalars(select(MonitoringImport).order_by(MonitoringImport.id.desc()).limit(limit)))


def read_frame(name: str, content: bytes) -> pd.DataFrame:
    """The file as a table of strings with our column names; refused as a whole when it cannot be."""
    try:
        if name.lower().endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl").fillna("")
        else:
            frame = _read_csv(content)
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas and openpyxl raise many kinds for a broken file
        raise UnreadableFile(kept("the file cannot be read as a table (%(reason)s)",
                                  reason=escaped(str(exc)[:200]))) from exc
    headers = [str(c).strip() for c in frame.columns]
    odd = [escaped(h) for h in headers if text_problem(h)]
    if odd:  # a NUL in a header would reach the failure kept and the audit (PostgreSQL refuses it)
        raise UnreadableFile(kept("a column name holds a control character: %(columns)s", columns=", ".join(odd)))
    if any(_renamed_twin(h, headers) for h in headers):
        raise UnreadableFile(kept("a column appears twice"))
    unknown = [h for h in headers if h not in observations.BY_HEADER]
    if unknown:
        raise UnreadableFile(kept("unknown columns: %(columns)s; the columns are %(known)s", columns=", ".join(unknown),
                               known=", ".join(f.name for f in observations.FIELDS)))
    names = [observations.BY_HEADER[h].name for h in headers]
    if len(set(names)) != len(names):
        raise UnreadableFile(kept("a column appears twice"))
    for required in ("uscc", "observed_on"):
        if required not in names:
            raise UnreadableFile(kept("the column %(column)s is missing", column=required))
    frame.columns = names
    return frame


def _renamed_twin(header: str, headers: list[str]) -> bool:
    """pandas reads a second "uscc" column as "uscc.1"."""
    match = re.fullmatch(r"(.+)\.(\d+)", header)
    return bool(match) and match.group(1) in headers


def _read_csv(content: bytes) -> pd.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(kept("the file is neither UTF-8 nor GB18030 text"))


def run(import_id: int) -> MonitoringImport:
    """Check and store every row of the import (resuming after the last batch stored)."""
    job = db.session.get(MonitoringImport, import_id)
    if job is None or job.status in ("done", "failed"):
        return job
    job.status = "running"
    db.session.commit()
    try:
        frame = read_frame(job.file_name, job.content)
    except UnreadableFile as exc:
        job.status, job.failure, job.finished_at = "failed", kept_form(exc.args[0]), utcnow()
        audit.record("monitoring.import_failed", None, import_id=job.id, reason=str(exc))
        db.session.commit()
        return job
    job.total_rows = len(frame)
    db.session.commit()
    seen: dict = {}  # (customer, date) -> the row of this file that stored it
    for start in range(job.done_rows, len(frame), BATCH):
        _store_batch(job, frame.iloc[start:start + BATCH], start, seen)
    job.status, job.finished_at = "done", utcnow()
    audit.record("monitoring.imported", job.uploaded_by, import_id=job.id, file=job.file_name,
                 rows=job.total_rows, stored=job.stored_rows, refused=job.error_rows)
    db.session.commit()
    return job


def _store_batch(job: MonitoringImport, batch: pd.DataFrame, start: int, seen: dict) -> None:
    checked = [observations.check(record) for record in batch.to_dict("records")]
    customers = observations.customers_by_uscc(v["uscc"] for v, e in checked if not e)
    pairs = {(customers[v["uscc"]], v["observed_on"]) for v, e in checked if not e and v["uscc"] in customers}
    stored = observations.already_stored(pairs - set(seen))
    rows, errors = [], []
    for offset, (values, problems) in enumerate(checked):
        row_number = start + offset + FIRST_DATA_ROW
        if not problems:
            customer_id = customers.get(values["uscc"])
            key = (customer_id, values["observed_on"])
            if customer_id is None:
                problems = {"uscc": kept("no customer has this credit code")}
            elif key in stored:
                problems = {"observed_on": kept("this customer already has an observation on this date")}
            elif key in seen:
                problems = {"observed_on": kept("the same customer and date as row %(row)s", row=seen[key])}
            else:
                seen[key] = row_number
                rows.append({**observations.row_values(values, customer_id), "source": "import",
                             "import_id": job.id, "recorded_by_id": job.uploaded_by_id, "recorded_at": utcnow()})
        for column, reason in problems.items():
            errors.append({"row": row_number, "column": column, "reason": kept_form(reason)})
        job.error_rows += bool(problems)
    insert_rows(Observation, rows)
    job.stored_rows += len(rows)
    job.done_rows = start + len(batch)
    if len(job.errors) < MAX_ERRORS_KEPT:
        job.errors = job.errors + errors[:MAX_ERRORS_KEPT - len(job.errors)]
    db.session.commit()


def errors_csv(job: MonitoringImport) -> bytes:
    """The refused rows' reasons as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly)."""
    rows: list[list] = [[_("Row"), _("Column"), _("Reason")]]
    for error in job.errors:
        field = observations.BY_NAME.get(error["column"])
        rows.append([error["row"], f"{error['column']} ({field.header_zh})" if field else error["column"],
                     shown(error["reason"])])
    return sheets.csv_bytes(rows)


def template(user: User, kind: str, language: str) -> tuple[bytes, str]:
    """An empty import file (``kind`` csv or xlsx) whose header row names every column the importer reads
    (``observations.FIELDS``), in Chinese (``zh``) or as the English column names (``en``); the XLSX explains
    each column on a second sheet. Returns the bytes and the file name."""
    observations.check_role(user, write=False)
    if kind not in ("csv", "xlsx") or language not in TEMPLATE_LANGUAGES:
        raise NotFound(_("No such template."))
    headers = [f.header_zh if language == "zh" else f.name for f in observations.FIELDS]
    name = f"monitoring-template-{language}.{kind}"
    if kind == "csv":  # with a BOM, so Excel opens the Chinese headers correctly
        return sheets.csv_bytes([headers]), name
    with force_locale(TEMPLATE_LANGUAGES[language]):
        notes = [(header, str(f.title), str(KIND_HINTS[f.kind]))
                 for header, f in zip(headers, observations.FIELDS, strict=True)]
        sheet_names = (_("Observations"), _("Columns"))
        note_headers = (_("Column"), _("Meaning"), _("What to enter"))
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_names[0]
    sheets.append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) * 2 + 2)
    sheet.freeze_panes = "A2"
    explained = book.create_sheet(sheet_names[1])
    for row in (note_headers, *notes):
        sheets.append_row(explained, row)
    for letter, width in zip("ABC", (24, 36, 40), strict=True):
        explained.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), name
