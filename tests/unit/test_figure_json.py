"""A figure kept as JSON by a dashboard's job (``figure_json``) and read back (``figure_from_json``): amounts exact,
floats as floats, and what JSON cannot hold (NaN, Infinity, a non-finite Decimal) kept as "no value" rather than
failing the whole job's write; a number column's text read back as it was kept."""

from __future__ import annotations

import json
from decimal import Decimal

from app.services.analytics.figures import Column, Figure, figure_from_json, figure_json


def test_a_kept_figure_reads_back_exactly_and_refuses_no_hostile_number():
    figure = Figure(
        "f",
        "F",
        (
            Column("label", "L"),
            Column("amount", "A", "money"),
            Column("days", "D", "days"),
            Column("pct", "P", "pct"),
        ),
        [
            {
                "label": "a",
                "amount": Decimal("12345678901234.56"),
                "days": 2.5,
                "pct": Decimal("33.33"),
                "x": 1,
            },
            {"label": "b", "amount": Decimal("NaN"), "days": float("nan"), "pct": float("inf")},
            {"label": "c", "amount": Decimal("1"), "days": 0.1, "pct": "—"},
        ],
        total={"label": "all", "amount": Decimal("-Infinity"), "days": None, "pct": None},
    )
    kept = json.dumps(figure_json(figure), allow_nan=False)  # what JSONB takes: no NaN token
    back = figure_from_json(json.loads(kept))
    assert back.rows[0] == {
        "label": "a",
        "amount": Decimal("12345678901234.56"),
        "days": 2.5,
        "pct": Decimal("33.33"),
    }
    assert back.rows[1] == {"label": "b", "amount": None, "days": None, "pct": None}
    assert back.rows[2]["pct"] == "—" and back.rows[2]["days"] == 0.1
    assert back.total == {"label": "all", "amount": None, "days": None, "pct": None}
