"""Decision-table cells compiled for the sandbox.

An input entry is first read as FEEL unary tests; when that fails it is a Python boolean
expression for the sandbox. One that starts with a comparison operator gets the input
expression put in front (``< 0.5`` → ``(amount) < 0.5``, as SpiffWorkflow does); one that
evaluates to something other than a bool is compared with the input value for equality.
Input expressions and output entries are FEEL-simple expressions translated to Python
(see :func:`app.engine.feel_expressions.feel_expression_to_python`), or Python when not FEEL.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.engine.feel import FeelSyntaxError, UnaryTests, parse_unary_tests
from app.engine.feel_expressions import feel_expression_to_python
from app.engine.sandbox import check_expression, evaluate

_OPERATORS = ("<=", ">=", "==", "!=", "<", ">", "in ", "not in ", "is ")


class CellError(ValueError):
    """A cell that is neither FEEL in our subset nor acceptable sandboxed Python."""


@dataclass(frozen=True)
class FeelInputCell:
    """An input entry written as FEEL unary tests."""

    text: str
    tests: UnaryTests

    def matches(self, value: Any, context: Mapping[str, Any]) -> bool:
        """Whether the input value passes (the context is not needed for FEEL)."""
        return self.tests.matches(value)


@dataclass(frozen=True)
class PythonInputCell:
    """An input entry written as a Python expression, run in the sandbox."""

    text: str
    python: str

    def matches(self, value: Any, context: Mapping[str, Any]) -> bool:
        """True when the expression is true, or when its non-bool result equals value."""
        result = evaluate(self.python, context)
        return result if isinstance(result, bool) else result == value


InputCell = FeelInputCell | PythonInputCell


def _checked(python: str, feel_error: FeelSyntaxError | None) -> str:
    violations = check_expression(python)
    if violations:
        first = violations[0]
        if feel_error is not None and first.reason.startswith("syntax error"):
            raise CellError(
                f"neither FEEL ({feel_error.reason} at position "
                f"{feel_error.position}) nor Python ({first.reason})"
            )
        raise CellError(f"refused by the sandbox: {first.reason}")
    return python


def compile_expression_cell(text: str, python_language: bool = False) -> str:
    """Python source for an input expression or output entry; raise CellError."""
    if not text.strip():
        return "None"
    if python_language:
        return _checked(text.strip(), None)
    try:
        return _checked(feel_expression_to_python(text), None)
    except FeelSyntaxError as feel_error:
        return _checked(text.strip(), feel_error)


def compile_input_cell(text: str, input_python: str, python_language: bool = False) -> InputCell:
    """Compile one input entry against its column's (Python) input expression."""
    feel_error = None
    if not python_language or text.strip() in ("", "-"):
        try:
            return FeelInputCell(text, parse_unary_tests(text))
        except FeelSyntaxError as error:
            feel_error = error
    stripped = text.strip()
    if stripped.startswith(_OPERATORS):
        stripped = f"({input_python}) {stripped}"
    return PythonInputCell(text, _checked(stripped, feel_error))


NUMBER_TYPES = frozenset({"number", "integer", "double", "long", "float", "int"})


def coerce(value: Any, type_ref: str | None) -> Any:
    """A value converted to a column's typeRef; ValueError when it cannot be."""
    kind = (type_ref or "").strip().lower()
    if value is None or not kind:
        return value
    if kind in NUMBER_TYPES:
        if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
            raise ValueError(f"{value!r} is not a number ({type_ref})")
        if kind in ("integer", "long", "int"):
            if value != int(value):
                raise ValueError(f"{value!r} is not an integer ({type_ref})")
            return int(value)
        return value
    if kind == "string":
        return value if isinstance(value, str) else str(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError(f"{value!r} is not a boolean")
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        raise ValueError(f"{value!r} is not a date")
    return value


def jsonable(value: Any) -> Any:
    """A JSON-serializable copy (Decimal → number, dates → ISO strings)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return str(value)
