"""A training or scoring file (CSV or XLSX) read into text cells within the monitoring imports' limits.

The file is measured and counted first (``monitoring.import_files``: rows, columns, cells, an XLSX's
unpacked size), so a bomb is refused before it is parsed; then every cell is read as the text typed, the
blank rows dropped, and each row keeps the number a spreadsheet shows (the header is row 1). A row with more
cells than the header names is refused (a trailing empty cell is not more): read as it stands, it would put
each of its cells, or with pandas' default every row's, one column off.
"""

from __future__ import annotations

import csv
import hashlib
import io
import warnings

import numpy as np
import pandas as pd

from app.inputs.text import escaped
from app.language import kept
from app.services.monitoring import import_files
from app.services.monitoring.import_files import Limits, UnreadableFile

SPARE = 20  # cells read past the header's width, to find a row that has more than it names


def cells_of(name: str, content: bytes, limits: Limits | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """The header's columns over every non-blank row's cells (text), and the rows' spreadsheet numbers; the rows
    really in the file counted against ``limits`` (the configured ones by default) before any is read."""
    import_files.count(name, content, limits or Limits.configured())
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
    width = len(headers) + SPARE
    try:
        with warnings.catch_warnings():
            # pandas drops the cells past ``names`` with a warning: here that is a row too wide, refused
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                header=None,
                skiprows=1,
                names=list(range(width)),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
            )
    except pd.errors.ParserWarning as error:
        raise UnreadableFile(
            kept("a row has more cells than the header has columns (%(count)s)", count=len(headers))
        ) from error
    except (pd.errors.ParserError, ValueError) as error:
        raise UnreadableFile(
            kept("the file cannot be read as a table (%(reason)s)", reason=escaped(str(error)[:200]))
        ) from error
    frame = frame.fillna("")
    row_numbers = np.arange(len(frame), dtype=np.int64) + 2
    spare = frame.iloc[:, len(headers) :]
    beyond = (spare != "").any(axis=1).to_numpy() if spare.shape[1] else np.zeros(len(frame), bool)
    if beyond.any():  # more cells than the header names: every later cell would be read one column off
        listed = ", ".join(str(n) for n in row_numbers[beyond][:10])
        raise UnreadableFile(kept("rows %(rows)s have more cells than the header has columns", rows=listed))
    frame = frame.iloc[:, : len(headers)]
    frame.columns = headers
    blank = (frame == "").all(axis=1).to_numpy() if len(headers) else np.ones(len(frame), bool)
    return frame.loc[~blank], row_numbers[~blank]


def fingerprint(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
