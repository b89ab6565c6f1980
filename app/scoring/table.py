"""A table of text cells typed for a model: numeric and categorical features, and a 0/1 target (1 = bad).

Every cell arrives as the text a person typed (``cells``: a frame of ``str``, blank ``""``; ``rows``: the row
numbers a spreadsheet shows). Rules, each refusal naming its row and column:

- **Headers** are named, unique, at most ``MAX_HEADER`` characters without a control character; the target
  column exists (``type_for_training``).
- **Target**: a cell equal to ``bad`` (as text, or as the same number: "1" and "1.0") is a default (1); any
  other non-blank value is good (0); a blank target (or a missing marker, ``nan`` among them) refuses the row. Both classes need ``MIN_CLASS`` rows.
- **Missing**: blank, ``NA``, ``N/A``, ``#N/A``, ``null``, ``None`` and ``-`` are missing values, kept as NaN
  (numeric) or None (categorical); the models score them, never refuse them.
- **Numbers**: ``1234.5``, ``1,234.5`` (thousands separators), ``12.5%`` (0.125). A column whose non-missing
  cells are numbers in more than half is numeric, and each of its other cells is refused
  (``not_a_number``); ``NaN`` and ``Infinity`` written out are refused (``not_finite``), as is a number past
  float range.
- **Text**: a control character (NUL and the like) or more than ``MAX_TEXT`` characters in a cell is refused.
- **Columns left out** (``Exclusion``, not refused): all missing, one value only, or categorical with a
  distinct value on most rows (an identifier) or more than ``MAX_CATEGORIES`` values.

``type_for_scoring`` types a file against a model's columns: the target may be absent, missing columns are
refused, unseen categories and missing values pass.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from app.scoring.problems import MAX_LISTED, Exclusion, Problem, TableRefused

NUMERIC, CATEGORICAL = "numeric", "categorical"
MISSING_TOKENS = frozenset({"", "na", "n/a", "#n/a", "null", "none", "-"})
NOT_FINITE_TOKENS = frozenset({"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
MIN_CLASS = 10  # defaults and goods each, so that the held-out part has some of both
MAX_TEXT = 200
MAX_HEADER = 80
MAX_CATEGORIES = 1000
IDENTIFIER_SHARE = 0.5  # a text column with a distinct value on more than half its rows names rows
_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]"  # C0 but tab and line ends, DEL, C1, lone surrogates: the app's rule (app.inputs.text)


@dataclass(frozen=True)
class TypedTable:
    """``features``: float64 columns (numeric, NaN missing) and object columns (categorical, None missing);
    ``target``: int8, 1 = bad (empty for a scoring table); ``kinds``: column → numeric|categorical."""

    features: pd.DataFrame
    target: np.ndarray
    kinds: dict[str, str]
    excluded: list[Exclusion]
    rows: np.ndarray


def type_for_training(cells: pd.DataFrame, rows: np.ndarray, target: str, bad: str) -> TypedTable:
    """Type ``cells`` for training (rules in the module docstring); raises ``TableRefused``."""
    problems: list[Problem] = _header_problems(list(cells.columns))
    if target not in cells.columns:
        problems.append(Problem("target_missing", target, facts={"columns": list(cells.columns)[:20]}))
    if problems:
        raise TableRefused(problems)
    found = _Found()
    y = _target(cells[target], rows, bad, found)
    features: dict[str, pd.Series] = {}
    kinds: dict[str, str] = {}
    excluded: list[Exclusion] = []
    for column in cells.columns:
        if column == target:
            continue
        kind, values = _typed_column(column, cells[column], rows, found, kind=None)
        reason = _exclusion(column, kind, values)
        if reason is not None:
            excluded.append(reason)
            continue
        features[column], kinds[column] = values, kind
    found.raise_if_any()
    return _checked(pd.DataFrame(features, index=cells.index), y, kinds, excluded, rows, target)


def typed_frame(
    features: pd.DataFrame, kinds: Mapping[str, str], target: np.ndarray, name: str
) -> TypedTable:
    """A table of values already typed (float64 and object columns, as ``TypedTable`` holds them) made ready
    to train on: its columns left out for the same reasons as a file's, both classes counted (``name`` is the
    target's name in a refusal)."""
    kept: dict[str, pd.Series] = {}
    excluded: list[Exclusion] = []
    for column, kind in kinds.items():
        reason = _exclusion(column, kind, features[column])
        if reason is None:
            kept[column] = features[column]
        else:
            excluded.append(reason)
    chosen = {column: kind for column, kind in kinds.items() if column in kept}
    rows = np.arange(len(target))
    return _checked(
        pd.DataFrame(kept, index=features.index), target.astype(np.int8), chosen, excluded, rows, name
    )


def _checked(
    features: pd.DataFrame,
    y: np.ndarray,
    kinds: dict[str, str],
    excluded: list[Exclusion],
    rows: np.ndarray,
    target: str,
) -> TypedTable:
    bads = int(y.sum())
    if bads < MIN_CLASS or len(y) - bads < MIN_CLASS:
        raise TableRefused(
            [Problem("too_few", target, facts={"bad": bads, "good": len(y) - bads, "min": MIN_CLASS})]
        )
    if len(features.columns) == 0:
        raise TableRefused([Problem("no_features", None, facts={"excluded": len(excluded)})])
    return TypedTable(features, y, kinds, excluded, rows)


def type_for_scoring(cells: pd.DataFrame, rows: np.ndarray, kinds: Mapping[str, str]) -> TypedTable:
    """Type ``cells`` for a model's ``kinds``; columns the model does not use are ignored."""
    problems = _header_problems(list(cells.columns))
    problems += [Problem("column_missing", column) for column in kinds if column not in cells.columns]
    if problems:
        raise TableRefused(problems)
    found = _Found()
    features = {}
    for column, kind in kinds.items():
        features[column] = _typed_column(column, cells[column], rows, found, kind=kind)[1]
    found.raise_if_any()
    return TypedTable(pd.DataFrame(features, index=cells.index), np.zeros(0, np.int8), dict(kinds), [], rows)


class _Found:
    """Problems as they are found, the first ``MAX_LISTED`` kept and all counted."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, code: str, column: str, rows: np.ndarray, values: pd.Series | None = None) -> None:
        self.total += len(rows)
        room = MAX_LISTED - len(self.problems)
        for position in range(min(room, len(rows))):
            facts = {} if values is None else {"value": str(values.iloc[position])[:40]}
            self.problems.append(Problem(code, column, int(rows[position]), facts))

    def raise_if_any(self) -> None:
        if self.total:
            raise TableRefused(sorted(self.problems, key=lambda p: (p.row or 0, p.column or "")), self.total)


def _header_problems(columns: list[str]) -> list[Problem]:
    problems = [
        Problem("header_blank", None, facts={"position": position})
        for position, name in enumerate(columns, start=1)
        if not str(name).strip()
    ]
    problems += [
        Problem("header_control", str(name), facts={"position": position})
        for position, name in enumerate(columns, start=1)
        if re.search(_CONTROL, str(name)) or len(str(name)) > MAX_HEADER
    ]
    seen: set[str] = set()
    for name in columns:
        if name in seen and str(name).strip():
            problems.append(Problem("header_duplicate", str(name)))
        seen.add(name)
    return problems


def _target(column: pd.Series, rows: np.ndarray, bad: str, found: _Found) -> np.ndarray:
    text = column.fillna("").astype(str).str.strip()
    blank = text.str.lower().isin(MISSING_TOKENS | NOT_FINITE_TOKENS).to_numpy()  # "nan": an outcome unknown
    if blank.any():
        found.add("target_blank", str(column.name), rows[blank])
    is_bad = (text == bad.strip()).to_numpy(dtype=bool, copy=True)
    bad_number = _as_float(bad.strip())
    if bad_number is not None:
        numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        is_bad |= numbers == bad_number
    return is_bad.astype(np.int8)


def _as_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _typed_column(
    name: str, column: pd.Series, rows: np.ndarray, found: _Found, kind: str | None
) -> tuple[str, pd.Series]:
    # Every check runs once per distinct text and is taken back to the rows by code: a column of a million
    # cells holds a few dozen categories, or numbers that parse at once (``_facts``).
    codes, uniques = pd.factorize(column.fillna("").astype(object), use_na_sentinel=False)
    facts = _facts(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    control, long, missing = facts["control"][codes], facts["long"][codes], facts["missing"][codes]
    numbers, not_finite = facts["numbers"][codes], facts["not_finite"][codes]
    if control.any():
        found.add("control_character", name, rows[control])
    if long.any():
        found.add("too_long", name, rows[long], None)
    is_number = ~np.isnan(numbers) | not_finite
    present = int((~missing).sum())
    if kind is None:
        kind = NUMERIC if present and is_number[~missing].sum() * 2 > present else CATEGORICAL
    if kind == CATEGORICAL:
        stripped = np.array([str(u).strip() for u in uniques], dtype=object)[codes]
        return kind, pd.Series(np.where(missing, None, stripped), index=column.index, dtype=object)
    texts = np.asarray(uniques, dtype=object)[codes]
    wrong = ~missing & ~is_number
    if wrong.any():
        found.add("not_a_number", name, rows[wrong], pd.Series(texts[wrong]).str.strip())
    if not_finite.any():
        found.add("not_finite", name, rows[not_finite], pd.Series(texts[not_finite]).str.strip())
    return kind, pd.Series(np.where(not_finite, np.nan, numbers), index=column.index, dtype=float)


def _facts(values: pd.Series) -> dict[str, np.ndarray]:
    """For each distinct text: a control character, too long, a missing marker, its number (NaN: none) and
    whether it is a number past float range. A text that parses at once as a finite number needs nothing
    more; only the others go through the string checks."""
    quick = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    slow = ~np.isfinite(quick)
    facts = {
        "control": np.zeros(len(values), bool),
        "long": np.zeros(len(values), bool),
        "missing": np.zeros(len(values), bool),
        "numbers": np.where(slow, np.nan, quick),
        "not_finite": np.zeros(len(values), bool),
    }
    if slow.any():
        text = values[slow].astype(str).str.strip()
        lowered = text.str.lower()
        numbers, not_finite = _numbers(text, lowered)
        facts["control"][slow] = text.str.contains(_CONTROL, regex=True).to_numpy()
        facts["long"][slow] = (text.str.len() > MAX_TEXT).to_numpy()
        facts["missing"][slow] = lowered.isin(MISSING_TOKENS).to_numpy()
        facts["numbers"][slow] = numbers
        facts["not_finite"][slow] = not_finite
    return facts


def _numbers(text: pd.Series, lowered: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each cell as a float (NaN where it is not a number) and where it is a number outside float range."""
    cleaned = text.where(~text.str.match(_THOUSANDS), text.str.replace(",", "", regex=False))
    percent = cleaned.str.endswith("%").to_numpy()
    cleaned = cleaned.where(~percent, cleaned.str[:-1])
    numbers = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    numbers = np.where(percent, numbers / 100.0, numbers)
    spelled = lowered.isin(NOT_FINITE_TOKENS).to_numpy()
    not_finite = spelled | np.isinf(numbers)
    return np.where(not_finite, np.nan, numbers), not_finite


def _exclusion(name: str, kind: str, values: pd.Series) -> Exclusion | None:
    present = values.dropna()
    if present.empty:
        return Exclusion(name, "empty")
    distinct = int(present.nunique())
    if distinct == 1:
        return Exclusion(name, "constant", {"value": str(present.iloc[0])[:40]})
    if kind == CATEGORICAL and distinct > MAX_CATEGORIES:
        return Exclusion(name, "too_many_categories", {"distinct": distinct, "max": MAX_CATEGORIES})
    if kind == CATEGORICAL and distinct > IDENTIFIER_SHARE * len(present) and len(present) >= 20:
        return Exclusion(name, "identifier", {"distinct": distinct, "rows": len(present)})
    return None
