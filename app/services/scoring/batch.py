"""Scoring a batch sent as JSON (the API's ``POST /models/{id}/score``): up to ``MAX_ROWS`` objects, each a
customer's columns by name, scored in order with their PD (and points for a scorecard), and for up to
``MAX_EXPLAINED`` rows the reasons (the columns that cost most points, or raised the PD most).

A value is a number, a text or null; a column left out of an object is a missing value, and missing values
and categories never seen in training are scored. Anything else is refused naming the row and column
(``rows[3].roa``), and so is a cell the file rules refuse (``app.scoring.table``): a text where the model reads
a number, NaN or an infinity, a control character.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from app.errors import InvalidInput
from app.language import shown
from app.models.people import User
from app.scoring import table
from app.scoring.problems import TableRefused
from app.scoring.woe_scorecard import WoeScorecard
from app.services.scoring import rights, versions, wording

MAX_ROWS = 10_000
MAX_EXPLAINED = 100


def score_rows(user: User, model_id: int, rows: Any, explain: Any = False) -> dict[str, Any]:
    rights.check_keeper(user)
    if not isinstance(explain, bool):  # "yes" or 1 is no answer: refused, not read as false
        raise InvalidInput(_("The rows were not scored."), {"explain": _("true or false")})
    version = versions.find(model_id)
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_ROWS:
        raise InvalidInput(
            _("The rows were not scored."), {"rows": _("a list of 1 to %(count)s objects", count=MAX_ROWS)}
        )
    if explain and len(rows) > MAX_EXPLAINED:
        raise InvalidInput(
            _("The rows were not scored."),
            {"explain": _("reasons for at most %(count)s rows at a time", count=MAX_EXPLAINED)},
        )
    cells = _cells(rows, list(version.features))
    try:
        # numbered from 0, so that "row 3" in a message is rows[3], the key it is filed under
        typed = table.type_for_scoring(cells, np.arange(len(rows)), version.features)
    except TableRefused as refused:
        errors = {
            f"rows[{p.row}].{p.column}": str(shown(wording.problem(p).stored())) for p in refused.problems
        }
        raise InvalidInput(_("The rows were not scored."), errors) from refused
    model = versions.model_of(version)
    pd_ = model.predict_pd(typed.features)
    points = model.points(typed.features) if isinstance(model, WoeScorecard) else None
    reasons = model.reasons(typed.features) if explain else None
    scores = []
    for position in range(len(rows)):
        score: dict[str, Any] = {"pd": round(float(pd_[position]), 6)}
        if points is not None:
            score["points"] = round(float(points[position]), 1)
        if reasons is not None:
            key = "points_lost" if points is not None else "pd_raised"
            score["reasons"] = [{"column": name, key: round(value, 4)} for name, value in reasons[position]]
        scores.append(score)
    return {
        "model_id": version.id,
        "name": version.name,
        "version": version.version,
        "algorithm": version.algorithm,
        "scores": scores,
    }


def _cells(rows: list, columns: list[str]) -> pd.DataFrame:
    """The rows as text cells (a number as it would be written, null or absent as blank); refuses the rest."""
    errors: dict[str, str] = {}
    records = []
    for position, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[f"rows[{position}]"] = _("an object of column values")
            continue
        record = {}
        for column in columns:
            value = row.get(column)
            if value is None:
                record[column] = ""
            elif isinstance(value, bool) or not isinstance(value, (str, int, float)):
                errors[f"rows[{position}].{column}"] = _("a number, a text or null")
            elif isinstance(value, float) and not math.isfinite(value):
                errors[f"rows[{position}].{column}"] = _("a finite number")
            else:
                record[column] = (
                    value
                    if isinstance(value, str)
                    else repr(value)
                    if isinstance(value, float)
                    else str(value)
                )
        records.append(record)
        if len(errors) >= 50:
            break
    if errors:
        raise InvalidInput(_("The rows were not scored."), errors)
    return pd.DataFrame(records, columns=columns, dtype=object)
