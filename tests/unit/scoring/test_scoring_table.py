"""A file's text cells typed for training and scoring: every refusal names its row and column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from app.scoring import table
from app.scoring.problems import TableRefused


def cells(**columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame(columns, dtype=object)
    return frame, np.arange(len(frame)) + 2


def book(rows: int = 40, **extra: list[str]) -> dict[str, list[str]]:
    columns = {
        "bad": ["1" if i % 4 == 0 else "0" for i in range(rows)],
        "income": [f"{1000 + 37 * i:,}" for i in range(rows)],
        "industry": ["制造业" if i % 3 else "建筑业" for i in range(rows)],
    }
    columns.update(extra)
    return columns


def refused(frame, rows, **kwargs) -> list:
    with pytest.raises(TableRefused) as caught:
        table.type_for_training(frame, rows, **kwargs)
    return caught.value.problems


def test_types_numbers_with_separators_and_percentages_and_text_as_categories():
    frame, rows = cells(**book(share=[f"{i}%" for i in range(40)]))
    typed = table.type_for_training(frame, rows, "bad", "1")
    assert typed.kinds == {"income": "numeric", "industry": "categorical", "share": "numeric"}
    assert typed.features["income"].iloc[1] == 1037.0
    assert typed.features["share"].iloc[5] == pytest.approx(0.05)
    assert typed.target.sum() == 10


def test_the_bad_value_matches_as_the_same_number():
    frame, rows = cells(**book(bad=["1.0" if i % 4 == 0 else "0" for i in range(40)]))
    assert table.type_for_training(frame, rows, "bad", "1").target.sum() == 10


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12a", {"not_a_number"}),
        ("NaN", {"not_finite"}),
        ("Infinity", {"not_finite"}),
        ("1" * 400, {"not_finite", "too_long"}),
        ("1e999", {"not_finite"}),
    ],
)
def test_a_bad_number_is_refused_by_row_and_column(value, code):
    income = [f"{1000 + i}" for i in range(40)]
    income[6] = value
    frame, rows = cells(**book(income=income))
    problems = refused(frame, rows, target="bad", bad="1")
    assert {(p.code, p.row, p.column) for p in problems} == {(c, 8, "income") for c in code}


def test_control_characters_and_blank_targets_are_refused():
    column = book()
    column["industry"][3] = "制造\x00业"
    column["industry"][4] = "制造\x85业"  # a C1 control, as the app refuses everywhere
    column["bad"][9] = ""
    frame, rows = cells(**column)
    problems = refused(frame, rows, target="bad", bad="1")
    assert {(p.code, p.row) for p in problems} == {
        ("control_character", 5),
        ("control_character", 6),
        ("target_blank", 11),
    }


def test_missing_markers_are_missing_not_refused():
    income = [f"{1000 + i}" for i in range(40)]
    income[1], income[2], income[3] = "", "N/A", "-"
    frame, rows = cells(**book(income=income))
    typed = table.type_for_training(frame, rows, "bad", "1")
    assert typed.features["income"].isna().sum() == 3


def test_headers_and_the_target_are_checked_first():
    frame = pd.DataFrame([["1", "2", "3"]], columns=["a", "a", " "], dtype=object)
    codes = {p.code for p in refused(frame, np.array([2]), target="bad", bad="1")}
    assert codes == {"header_duplicate", "header_blank", "target_missing"}


def test_columns_that_cannot_teach_are_left_out_with_their_reason():
    frame, rows = cells(
        **book(customer_id=[f"C{i:05d}" for i in range(40)], empty=[""] * 40, same=["x"] * 40)
    )
    typed = table.type_for_training(frame, rows, "bad", "1")
    assert {e.column: e.code for e in typed.excluded} == {
        "customer_id": "identifier",
        "empty": "empty",
        "same": "constant",
    }


def test_too_few_defaults_is_refused():
    frame, rows = cells(**book(bad=["1" if i < 3 else "0" for i in range(40)]))
    assert [p.code for p in refused(frame, rows, target="bad", bad="1")] == ["too_few"]


def test_scoring_passes_unseen_categories_and_missing_values_and_needs_the_columns():
    frame, rows = cells(income=["", "5,000"], industry=["从未见过", ""])
    typed = table.type_for_scoring(frame, rows, {"income": "numeric", "industry": "categorical"})
    assert np.isnan(typed.features["income"].iloc[0]) and typed.features["industry"].iloc[1] is None
    with pytest.raises(TableRefused) as caught:
        table.type_for_scoring(frame, rows, {"income": "numeric", "roa": "numeric"})
    assert [(p.code, p.column) for p in caught.value.problems] == [("column_missing", "roa")]
