"""Reading a monitoring file within limits: its cost checked before it is parsed, its rows streamed.

An XLSX is a zip: 63 KB held 100,000 rows and 1.7 MB three million, which pandas read whole into a
gigabyte. So before anything is parsed a file is measured from what it declares — for an XLSX the zip's
directory (how many members, how large unpacked) and the first sheet's ``<dimension>``; for a CSV its
lines and its header's width — and refused beyond the limits (``IMPORT_MAX_ROWS``, ``IMPORT_MAX_COLUMNS``,
``IMPORT_MAX_CELLS``, ``IMPORT_MAX_UNPACKED``), the refusal naming the limit (``measure``, at upload: no
parsing, so a web request never waits on a large file). A declaration can lie, so the job then counts what
is really there without parsing it (``count``: the sheet's ``<row>`` and ``<c>`` tags, the CSV's records)
under the same limits, before storing anything; and reads the rows one at a time (openpyxl read-only,
the csv module), so a worker's memory does not grow with the file. The zip module stops at each member's
declared size, so the declared sizes bound what is unpacked.
"""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import PurePath

from flask import current_app
from openpyxl import load_workbook
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries

from app.inputs.text import escaped
from app.language import kept

EXTENSIONS = (".csv", ".xlsx")
MAX_MEMBERS = 10_000  # a workbook has dozens; a zip of a million empty members is a bomb of its own
CHUNK = 1 << 20
PART_PARSED_AT_UPLOAD = 4 << 20  # the package's index, workbook and relations: kilobytes in any real workbook
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')
_EOCD = b"PK\x05\x06"


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported (not a table, too large, unknown columns, no credit code)."""


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    unpacked: int
    # what a refusal for too many rows says to do (a screen with a lower limit than the setting names its own)
    rows_hint: str | None = None

    @classmethod
    def configured(cls) -> Limits:
        config = current_app.config
        return cls(
            config["IMPORT_MAX_ROWS"],
            config["IMPORT_MAX_COLUMNS"],
            config["IMPORT_MAX_CELLS"],
            config["IMPORT_MAX_UNPACKED"],
        )

    def check(self, rows: int, columns: int, cells: int) -> None:
        """Refuse a table past a limit, naming the limit and its setting."""
        if rows > self.rows:
            raise UnreadableFile(
                kept("more than %(limit)s rows: %(hint)s", limit=f"{self.rows:,}", hint=self.rows_hint)
                if self.rows_hint
                else kept(
                    "more than %(limit)s rows (the limit, CREDIT_IMPORT_MAX_ROWS)", limit=f"{self.rows:,}"
                )
            )
        if columns > self.columns:
            raise UnreadableFile(
                kept(
                    "more than %(limit)s columns (the limit, CREDIT_IMPORT_MAX_COLUMNS)",
                    limit=f"{self.columns:,}",
                )
            )
        if cells > self.cells:
            raise UnreadableFile(
                kept(
                    "more than %(limit)s cells (the limit, CREDIT_IMPORT_MAX_CELLS)", limit=f"{self.cells:,}"
                )
            )


def checked_upload(file_name: str | None, content: bytes, limits: Limits) -> tuple[str, int]:
    """An uploaded table's bare name and the bytes a parse would read (``measure``), checked before anything
    is kept: a CSV or an XLSX, not empty, within ``limits``; refused (``UnreadableFile``) naming what is wrong.
    Every upload of a table (a monitoring import, a model's training or scoring file) comes through here."""
    name = PurePath(file_name or "").name
    if not name or PurePath(name).suffix.lower() not in EXTENSIONS:
        raise UnreadableFile(kept("a .csv or .xlsx file, not %(name)s", name=escaped(name) or "-"))
    if not content:
        raise UnreadableFile(kept("the file is empty"))
    return name, measure(name, content, limits)


def is_xlsx(name: str) -> bool:
    return name.lower().endswith(".xlsx")


def measure(name: str, content: bytes, limits: Limits) -> int:
    """Check what the file declares against ``limits`` without parsing it; returns the bytes a parse would
    read (an XLSX's unpacked size), by which the caller decides to parse it now or in a job."""
    if is_xlsx(name):
        archive, sheet = _open_xlsx(content, limits)
        with archive.open(sheet) as source:
            head = source.read(64 * 1024)
        found = _DIMENSION.search(head)
        if found:
            min_col, min_row, max_col, max_row = range_boundaries(found.group(1).decode().upper())
            rows, columns = (max_row or 1) - (min_row or 1), (max_col or 1) - (min_col or 1) + 1
            limits.check(rows, columns, rows * columns)
        return sum(info.file_size for info in archive.infolist())
    first_line = content[: content.find(b"\n")] if b"\n" in content else content
    header = next(csv.reader(io.StringIO(decode(first_line))), [])
    lines = content.count(b"\n") + (not content.endswith(b"\n"))
    rows = max(lines - 1, 0)  # an upper bound: blank lines and quoted line breaks are counted too
    limits.check(rows, len(header), rows * len(header))
    return len(content)


def count(name: str, content: bytes, limits: Limits, beat: Callable[[], None] = lambda: None) -> int:
    """The data rows really in the file (the header not counted), refused past ``limits`` before a row
    is stored; ``beat`` is called as the count goes (the import's heartbeat)."""
    measure(name, content, limits)
    if is_xlsx(name):
        archive, sheet = _open_xlsx(content, limits)
        rows = cells = 0
        tail = b""
        with archive.open(sheet) as source:
            while chunk := source.read(CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")  # a tag is complete before the last "<"; the rest waits for more
                head, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
                rows += len(_ROW.findall(head))
                cells += len(_CELL.findall(head))
                limits.check(max(rows - 1, 0), 0, cells)
                beat()
        rows += len(_ROW.findall(tail))
        cells += len(_CELL.findall(tail))
        limits.check(max(rows - 1, 0), 0, cells)
        return max(rows - 1, 0)
    records = cells = 0
    for number, record in enumerate(csv.reader(io.StringIO(decode(content)))):
        if number == 0:
            limits.check(0, len(record), 0)
        if number == 0 or not any(record):
            continue
        records += 1
        cells += len(record)
        limits.check(records, len(record), cells)
        if records % 50_000 == 0:
            beat()
    return records


def read(name: str, content: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the non-blank data rows as (row number as a spreadsheet shows it, cell texts),
    read one at a time. Call ``count`` first: this trusts the file's size."""
    try:
        if is_xlsx(name):
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
            sheet.reset_dimensions()  # read every row there is: a dimension that understates them would cut them
            values = (tuple(_text(v) for v in row) for row in sheet.iter_rows(values_only=True))
        else:
            values = (tuple(record) for record in csv.reader(io.StringIO(decode(content))))
        header = next(values, ())
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl and csv raise many kinds for a broken file
        raise UnreadableFile(
            kept("the file cannot be read as a table (%(reason)s)", reason=escaped(str(exc)[:200]))
        ) from exc
    headers = [h.strip() for h in header]
    while headers and not headers[-1]:
        headers.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(values, start=2):
            if any(cell.strip() for cell in row):
                yield number, list(row)

    return headers, rows()


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(kept("the file is neither UTF-8 nor GB18030 text"))


def _text(value) -> str:
    """A cell's value as the text a person typed (a whole number without ".0", a date as ISO)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return str(value)
    return str(value)


def _open_xlsx(content: bytes, limits: Limits) -> tuple[zipfile.ZipFile, str]:
    """The zip, its members and declared sizes checked, and the path of its first worksheet."""
    entries = _declared_members(content)
    if entries is None or entries > MAX_MEMBERS:
        raise UnreadableFile(
            kept(
                "the file is not a workbook this importer reads (an XLSX of at most %(limit)s parts)",
                limit=f"{MAX_MEMBERS:,}",
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(info.file_size for info in archive.infolist())
        if any(
            info.file_size > PART_PARSED_AT_UPLOAD
            for info in archive.infolist()
            if info.filename == "[Content_Types].xml" or info.filename.endswith(("workbook.xml", ".rels"))
        ):
            raise UnreadableFile(
                kept(
                    "the file is not a workbook this importer reads (an XLSX of at most %(limit)s parts)",
                    limit=f"{MAX_MEMBERS:,}",
                )
            )
        if unpacked > limits.unpacked:
            raise UnreadableFile(
                kept(
                    "%(size)s MB unpacked, more than %(limit)s MB (the limit, CREDIT_IMPORT_MAX_UNPACKED)",
                    size=f"{unpacked / 2**20:,.0f}",
                    limit=f"{limits.unpacked / 2**20:,.0f}",
                )
            )
        reader = ExcelReader(io.BytesIO(content), read_only=True)
        reader.read_manifest()
        reader.read_workbook()
        sheet = next(
            (rel.target for _sheet, rel in reader.parser.find_sheets() if rel.Type.endswith("/worksheet")),
            None,
        )
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and openpyxl raise many kinds for a broken file
        raise UnreadableFile(
            kept("the file cannot be read as a table (%(reason)s)", reason=escaped(str(exc)[:200]))
        ) from exc
    if sheet is None:
        raise UnreadableFile(kept("the workbook has no worksheet"))
    return archive, sheet


def _declared_members(content: bytes) -> int | None:
    """How many members the zip's end record declares, read before the zip module builds its directory
    (ZIP64, whose count is elsewhere, is refused: no workbook of ours needs it)."""
    end = content.rfind(_EOCD, max(0, len(content) - 65_557))
    if end < 0 or len(content) < end + 22:
        return None
    total = struct.unpack("<H", content[end + 10 : end + 12])[0]
    return None if total == 0xFFFF else total
