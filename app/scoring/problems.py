"""What is wrong with a table or a model's input, as codes with their facts: the service words them (zh/en).

A ``Problem`` refuses the file; an ``Exclusion`` leaves a column out of the model and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 50  # problems kept for the message; the count says how many there were in all


@dataclass(frozen=True)
class Problem:
    """``code`` names the mistake; ``row`` is the row as a spreadsheet shows it (the header is row 1)."""

    code: str
    column: str | None = None
    row: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exclusion:
    """A column left out of the model: ``code`` says why (constant, empty, identifier, weak...)."""

    column: str
    code: str
    facts: dict[str, Any] = field(default_factory=dict)


class TableRefused(ValueError):
    """The table cannot be used; ``problems`` lists the first ``MAX_LISTED``, ``total`` counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        super().__init__(f"{total or len(problems)} problem(s), first: {problems[0] if problems else None}")
        self.problems = problems[:MAX_LISTED]
        self.total = total if total is not None else len(problems)
