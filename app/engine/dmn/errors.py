"""Errors and problems of DMN files, worded for the designer who has to fix them."""

from __future__ import annotations

from dataclasses import dataclass


class DmnError(Exception):
    """Base of every DMN error."""


def _where(filename: str | None, line: int | None, element_id: str | None) -> str:
    place = filename or "<dmn>"
    if line is not None:
        place += f":{line}"
    if element_id:
        place += f" ({element_id})"
    return place


class DmnParseError(DmnError):
    """A file that cannot be loaded: not XML, not DMN, refused or inconsistent."""

    def __init__(self, filename: str, element_id: str | None, line: int | None, reason: str) -> None:
        self.filename = filename
        self.element_id = element_id
        self.line = line
        self.reason = reason
        super().__init__(f"{_where(filename, line, element_id)}: {reason}")


class DmnEvaluationError(DmnError):
    """A decision that failed on given inputs (a name missing, two UNIQUE matches…)."""

    def __init__(
        self,
        decision_id: str,
        rule_id: str | None,
        column: str | None,
        reason: str,
        *,
        row: int | None = None,
        filename: str | None = None,
    ) -> None:
        self.decision_id = decision_id
        self.rule_id = rule_id
        self.column = column
        self.reason = reason
        self.row = row
        self.filename = filename
        parts = [f"decision {decision_id!r}"]
        if filename:
            parts.insert(0, filename)
        if rule_id:
            parts.append(f"rule {rule_id!r}" + (f" (row {row})" if row else ""))
        if column:
            parts.append(f"column {column!r}")
        super().__init__(f"{', '.join(parts)}: {reason}")


@dataclass(frozen=True)
class DmnProblem:
    """One thing :func:`validate_dmn` found wrong, located for the designer."""

    filename: str
    element_id: str | None
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{_where(self.filename, self.line, self.element_id)}: {self.message}"
