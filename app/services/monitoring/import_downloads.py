"""The files the monitoring import page hands out: the empty template to fill in (CSV, or XLSX with each
column explained), and the reasons an import refused rows (CSV)."""

from __future__ import annotations

import io

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from app.documents import sheets
from app.errors import NotFound
from app.language import shown
from app.models import MonitoringImport, User
from app.services.monitoring import observations

TEMPLATE_LANGUAGES = {
    "zh": "zh_CN",
    "en": "en",
}  # the header row's language: Chinese headers, or the column names
KIND_HINTS = {  # what a template's notes say to enter, by the kind of column
    "text": _l("text"),
    "date": _l("a date such as 2026-11-30"),
    "number": _l("a number"),
    "integer": _l("a whole number"),
    "money": _l("an amount in CNY"),
    "boolean": _l("yes or no (%(yes)s or %(no)s also)", yes="是", no="否"),
    "rating": _l("one of %(values)s", values=", ".join(observations.RATINGS)),
}


def errors_csv(job: MonitoringImport) -> bytes:
    """The refused rows' reasons as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly)."""
    rows: list[list] = [[_("Row"), _("Column"), _("Reason")]]
    for error in job.errors:
        field = observations.BY_NAME.get(error["column"])
        rows.append(
            [
                error["row"],
                f"{error['column']} ({field.header_zh})" if field else error["column"],
                shown(error["reason"]),
            ]
        )
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
        notes = [
            (header, str(f.title), str(KIND_HINTS[f.kind]))
            for header, f in zip(headers, observations.FIELDS, strict=True)
        ]
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
