"""How the database's JSON columns are written and read (the SQLAlchemy engine's JSON codec).

Python writes ``float("nan")`` into JSON as ``NaN``; SQLite keeps the text, and then its JSON functions refuse
the row: every search or inbox query touching it fails, for everyone. PostgreSQL's JSONB refuses it at once.
"""

from __future__ import annotations

import json
from typing import Any


def dump_json(value: Any) -> str:
    """How a JSON column is written: NaN and infinities are refused (``ValueError``) as PostgreSQL's JSONB
    refuses them, so SQLite never stores text its own JSON functions cannot read (every query touching such
    a row would fail). The input guards refuse them first, naming the field; this is the last line."""
    return json.dumps(value, allow_nan=False)


def load_json(text: str | bytes) -> Any:
    """How a JSON column is read: a NaN or an infinity SQLite stored before the guards reads as null (a
    dash on every page), never as a float that breaks formatting and comparisons."""
    return json.loads(text, parse_constant=lambda _name: None)  # NaN, Infinity, -Infinity: what Python writes
