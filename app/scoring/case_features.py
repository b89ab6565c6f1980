"""The features of a credit case a model learned from the system's own history reads: one fixed vocabulary.

A decided credit application is described as it stood on its decision date (point in time): the
application's facts and the analysis of the statements it was decided on (both kept with the case), and the
customer's monitoring observations known by then — observed on or before that date and recorded by then,
never a later one. The same function describes a new case, so a model trained on the history reads a new
case exactly as it read the old ones.

Numeric features are floats (NaN: not known); categorical ones are text (None: not known). A ratio the
statements leave undefined (no interest expense, negative equity...) is missing, as the models expect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from app.risk.ratios import RATIO_NAMES
from app.scoring.table import CATEGORICAL, NUMERIC

LOOKBACK = timedelta(days=365)  # observations within a year before the decision describe recent conduct

# name -> kind, in the order a model's page lists them
CASE_FEATURES: dict[str, str] = {
    **dict.fromkeys(RATIO_NAMES, NUMERIC),
    "z_score": NUMERIC,
    "requested_amount": NUMERIC,
    "requested_term_months": NUMERIC,
    "industry": CATEGORICAL,
    "size": CATEGORICAL,
    "credit_record": CATEGORICAL,
    "listed": CATEGORICAL,
    "class_at_decision": CATEGORICAL,
    "max_days_past_due_12m": NUMERIC,
    "enforcement_records": NUMERIC,
    "tax_arrears": NUMERIC,
    "negative_news_12m": CATEGORICAL,
}

# (English, Chinese) titles of the features that are not ratios (those are ``app.risk.ratios.RATIO_TITLES``)
FEATURE_TITLES: dict[str, tuple[str, str]] = {
    "z_score": ("Z-score", "Z 值"),
    "requested_amount": ("Amount requested", "申请金额"),
    "requested_term_months": ("Term requested (months)", "申请期限（月）"),
    "industry": ("Industry", "行业"),
    "size": ("Size", "企业规模"),
    "credit_record": ("Credit record", "征信记录"),
    "listed": ("Listed", "是否上市"),
    "class_at_decision": ("Five-category class on file", "在档五级分类"),
    "max_days_past_due_12m": ("Worst days past due in the last 12 months", "近 12 个月最长逾期天数"),
    "enforcement_records": ("Enforcement records", "被执行记录"),
    "tax_arrears": ("Tax arrears", "欠税金额"),
    "negative_news_12m": ("Negative news in the last 12 months", "近 12 个月负面舆情"),
}


def reads_case_features(kinds: Mapping[str, str]) -> bool:
    """Whether a model reading the columns ``kinds`` (name → numeric|categorical) can score a case: every column is a
    case feature of the same kind (a file's ``industry`` read as numbers cannot take the case's text)."""
    return bool(kinds) and all(CASE_FEATURES.get(name) == kind for name, kind in kinds.items())


@dataclass(frozen=True)
class Seen:
    """One monitoring observation of the customer, as far as the features read it."""

    observed_on: date
    days_past_due: int | None = None
    enforcement_records: int | None = None
    tax_arrears: float | None = None
    negative_news: bool | None = None


def case_row(facts: Mapping[str, Any], seen: Sequence[Seen], on: date) -> dict[str, float | str | None]:
    """The features of a case decided (or being rated) on ``on``: ``facts`` is the case's data (its summary),
    ``seen`` the customer's observations known by then (later ones are ignored here too)."""
    analysis = _mapping(facts.get("analysis"))
    ratios = _mapping(analysis.get("ratios"))
    row: dict[str, float | str | None] = {name: _number(ratios.get(name)) for name in RATIO_NAMES}
    row["z_score"] = _number(facts.get("z_score"))
    row["requested_amount"] = _number(facts.get("requested_amount"))
    row["requested_term_months"] = _number(facts.get("requested_term_months"))
    for name in ("industry", "size", "credit_record"):
        row[name] = _text(facts.get(name))
    listed = facts.get("listed")
    row["listed"] = ("yes" if listed else "no") if isinstance(listed, bool) else None
    row["class_at_decision"] = _text(facts.get("loan_class"))
    known = sorted((s for s in seen if s.observed_on <= on), key=lambda s: s.observed_on)
    recent = [s for s in known if s.observed_on > on - LOOKBACK]
    past_due = [s.days_past_due for s in recent if s.days_past_due is not None]
    row["max_days_past_due_12m"] = float(max(past_due)) if past_due else math.nan
    row["enforcement_records"] = _latest(known, "enforcement_records")
    row["tax_arrears"] = _latest(known, "tax_arrears")
    news = [s.negative_news for s in recent if s.negative_news is not None]
    row["negative_news_12m"] = ("yes" if any(news) else "no") if news else None
    return row


def frame(rows: Sequence[Mapping[str, float | str | None]]) -> pd.DataFrame:
    """Rows of :func:`case_row` as a frame typed as ``app.scoring.table`` types a file's columns."""
    columns: dict[str, Any] = {}
    for name, kind in CASE_FEATURES.items():
        values = [row.get(name) for row in rows]
        if kind == NUMERIC:
            columns[name] = np.array([math.nan if v is None else float(v) for v in values], dtype=np.float64)
        else:
            columns[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _latest(known: Sequence[Seen], field: str) -> float:
    values = [getattr(s, field) for s in known if getattr(s, field) is not None]
    return _number(values[-1]) if values else math.nan


def _number(value: Any) -> float:
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return math.nan
    return number if math.isfinite(number) else math.nan


def _text(value: Any) -> str | None:
    return value.strip()[:80] or None if isinstance(value, str) else None
