"""A training or scoring file (CSV or XLSX) read into text cells within the monitoring imports' limits.

The file is measured and counted first (``monitoring.import_files``: rows, columns, cells, an XLSX's
unpacked size), so a bomb is refused before it is parsed; then every cell is read as the text typed, the
blank rows dropped, and each row keeps the number a spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import hashlib
import io

import numpy as np
import pandas as pd

from app.language import kept
from app.services.monitoring import import_files
from app.services.monitoring.import_files import Limits, UnreadableFile


def cells_of(name: str, content: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    """The header's columns over every non-blank row's cells (text), and the rows' spreadsheet numbers."""
    import_files.count(name, content, Limits.configured())
    if import_files.is_xlsx(name):
        headers, rows = import_files.read(name, content)
        numbers, records = [], []
        for number, row in rows:
            numbers.append(number)
            records.append((row + [""] * len(headers))[: len(headers)])
        frame = (
            pd.DataFrame(records, columns=headers, dtype=object) if records else pd.DataFrame(columns=headers)
        )
        return frame.fillna("").astype(str), np.array(numbers, dtype=np.int64)
    text = import_files.decode(content)
    header = next(csv.reader(io.StringIO(text)), [])
    headers = [h.strip() for h in header]
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            skiprows=1,
            names=list(range(len(headers))),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise UnreadableFile(
            kept("the file cannot be read as a table (%(reason)s)", reason=str(error)[:200])
        ) from error
    frame.columns = headers
    blank = (frame == "").all(axis=1).to_numpy() if len(headers) else np.zeros(len(frame), bool)
    frame = frame.loc[~blank].fillna("")
    return frame, np.flatnonzero(~blank).astype(np.int64) + 2


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
