"""FEEL, the subset DMN editors (dmn-js, Camunda Modeler) write in decision tables.

Unary tests (input entries) parse to a small AST of our own, so the same tree can be
matched row by row (:meth:`UnaryTests.matches`) or compiled to vectorized masks:

``-`` / empty (:class:`AnyTest`), literals (:class:`Equals`; numbers, ``"strings"``,
``true``/``false``, ``null``, ``date("…")``, ``date and time("…")``), ``< <= > >=`` with a
literal (:class:`Comparison`), ``= x`` (Equals), ``!= x`` (``Not([Equals(x)])``),
intervals ``[a..b]``, ``(a..b]``, ``]a..b[`` (:class:`Range`), comma lists
(:class:`Disjunction`) and ``not(list)`` (:class:`Not`).

Null rules: ``None`` matches ``-``, ``null`` and a ``not(...)`` / ``!=`` whose tests do
not match ``None``; comparisons and ranges never match ``None`` (FEEL gives null). Values
of another type than the literal never match (no error): ``"5"`` is not ``5`` and
``true`` is not ``1``. Date literals match ``date`` values, ``datetime`` values (their
date) and ISO strings; date-and-time literals match ``datetime`` values and ISO strings.

:func:`app.engine.feel_expressions.feel_expression_to_python` translates simple FEEL expressions (input expressions,
output entries) to Python source for the sandbox: literals, names, ``a.b`` paths (become
``a["b"]``), ``+ - * / **``, comparisons (``=`` is equality), ``and``/``or``/``not(x)``,
``if c then a else b``, lists and calls of plain names. Anything else raises
:class:`FeelSyntaxError`, so callers may fall back to reading the text as Python. FEEL's
null propagation (``null + 1`` is null) is not reproduced.
"""

from __future__ import annotations

import datetime as dt
import decimal
import operator
import re
from dataclasses import dataclass
from typing import Any, Literal, Union

Op = Literal["<", "<=", ">", ">="]


class FeelSyntaxError(ValueError):
    """Text that is not in our FEEL subset; ``position`` is a 0-based character offset."""

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = position
        self.reason = reason
        super().__init__(f"FEEL syntax error at position {position} in {text!r}: {reason}")


@dataclass(frozen=True)
class AnyTest:
    """``-`` or an empty cell: matches every value, ``None`` included."""


@dataclass(frozen=True)
class Equals:
    """Equality with a literal (``None`` for ``null``)."""

    literal: Any


@dataclass(frozen=True)
class Comparison:
    """``op literal`` where op is one of ``< <= > >=``."""

    op: Op
    literal: Any


@dataclass(frozen=True)
class Range:
    """An interval; ``[`` / ``]`` bounds are closed, ``(`` ``)`` and outward ``] [`` open."""

    low: Any
    high: Any
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True)
class Disjunction:
    """A comma list: matches when any test matches."""

    tests: tuple[Test, ...]


@dataclass(frozen=True)
class Not:
    """``not(list)``: matches when none of the tests matches."""

    tests: tuple[Test, ...]


Test = Union[AnyTest, Equals, Comparison, Range, Disjunction, Not]  # noqa: UP007


@dataclass(frozen=True)
class UnaryTests:
    """A parsed input entry: the original text and its test tree."""

    text: str
    test: Test

    def matches(self, value: Any) -> bool:
        """Whether the input value passes this cell."""
        return _matches(self.test, value)


_NO = object()  # a value that cannot be compared with a literal
_OPERATORS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "=": operator.eq}


def _coerce(value: Any, literal: Any) -> Any:
    """``value`` made comparable with ``literal``, or ``_NO``."""
    if isinstance(literal, bool) or isinstance(value, bool):
        return value if isinstance(value, bool) and isinstance(literal, bool) else _NO
    if isinstance(literal, (int, float)):
        if isinstance(value, decimal.Decimal) and isinstance(literal, float):
            return float(value)
        return value if isinstance(value, (int, float, decimal.Decimal)) else _NO
    if isinstance(literal, dt.datetime):
        if isinstance(value, str):
            try:
                return dt.datetime.fromisoformat(value)
            except ValueError:
                return _NO
        return value if isinstance(value, dt.datetime) else _NO
    if isinstance(literal, dt.date):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                return _NO
        return value if isinstance(value, dt.date) else _NO
    return value if isinstance(value, type(literal)) else _NO


def _compare(value: Any, op: str, literal: Any) -> bool:
    value = _coerce(value, literal)
    if value is _NO:
        return False
    try:
        return bool(_OPERATORS[op](value, literal))
    except TypeError:  # e.g. naive vs aware datetimes
        return False


def _matches(test: Test, value: Any) -> bool:
    if isinstance(test, AnyTest):
        return True
    if isinstance(test, Disjunction):
        return any(_matches(t, value) for t in test.tests)
    if isinstance(test, Not):
        return not any(_matches(t, value) for t in test.tests)
    if value is None:
        return isinstance(test, Equals) and test.literal is None
    if isinstance(test, Equals):
        return test.literal is not None and _compare(value, "=", test.literal)
    if isinstance(test, Comparison):
        return _compare(value, test.op, test.literal)
    return _compare(value, ">=" if test.low_closed else ">", test.low) and _compare(
        value, "<=" if test.high_closed else "<", test.high
    )


_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<str>"(?:[^"\\]|\\.)*")
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\.\.|<=|>=|!=|\*\*|[<>=()\[\],+\-*/.])
""",
    re.X,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, str, name, op, end
    text: str
    pos: int


def _tokenize(text: str) -> list[_Tok]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            reason = "unterminated string" if text[pos] == '"' else "unexpected character"
            raise FeelSyntaxError(text, pos, f"{reason} {text[pos]!r}")
        if match.lastgroup != "ws":
            tokens.append(_Tok(match.lastgroup or "", match.group(), pos))
        pos = match.end()
    tokens.append(_Tok("end", "", len(text)))
    return tokens


def _unquote(text: str, tok: _Tok) -> str:
    body, out, i = tok.text[1:-1], [], 0
    while i < len(body):
        char, step = body[i], 1
        if char == "\\":
            code, step = body[i + 1], 2
            if code == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                char, step = chr(int(body[i + 2 : i + 6], 16)), 6
            elif code in _ESCAPES:
                char = _ESCAPES[code]
            else:
                raise FeelSyntaxError(text, tok.pos + i + 1, f"unknown escape \\{code}")
        out.append(char)
        i += step
    return "".join(out)


_TEMPORAL = {
    "date": dt.date.fromisoformat,
    "date and time": dt.datetime.fromisoformat,
    "time": dt.time.fromisoformat,
}


class _Parser:
    """Recursive descent over the tokens of one text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> _Tok:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def error(self, reason: str, tok: _Tok | None = None) -> FeelSyntaxError:
        return FeelSyntaxError(self.text, (tok or self.tok).pos, reason)

    def take(self) -> _Tok:
        tok = self.tok
        self.i += 1
        return tok

    def accept(self, *texts: str) -> _Tok | None:
        if self.tok.kind in ("op", "name") and self.tok.text in texts:
            return self.take()
        return None

    def expect(self, text: str) -> _Tok:
        tok = self.accept(text)
        if tok is None:
            found = self.tok.text or "end of text"
            raise self.error(f"expected {text!r}, found {found!r}")
        return tok

    def expect_end(self) -> None:
        if self.tok.kind != "end":
            raise self.error(f"unexpected {self.tok.text!r}")

    def temporal_kind(self) -> str | None:
        """``date``, ``date and time`` or ``time`` when a temporal literal starts here."""
        tok = self.tok
        if tok.kind != "name" or tok.text not in ("date", "time"):
            return None
        if tok.text == "date" and self.peek().text == "and" and self.peek(2).text == "time":
            return "date and time" if self.peek(3).text == "(" else None
        return tok.text if self.peek().text == "(" else None

    def literal(self) -> Any:
        """One literal; the value it denotes (``None`` for ``null``)."""
        tok = self.tok
        if tok.kind == "op" and tok.text == "-" and self.peek().kind == "num":
            self.take()
            return -self.number(self.take())
        if tok.kind == "num":
            return self.number(self.take())
        if tok.kind == "str":
            return _unquote(self.text, self.take())
        if tok.kind == "name" and tok.text in ("true", "false", "null"):
            self.take()
            return {"true": True, "false": False, "null": None}[tok.text]
        kind = self.temporal_kind()
        if kind is None:
            raise self.error(f"expected a literal, found {tok.text or 'end of text'!r}")
        self.i += len(kind.split())
        self.expect("(")
        arg = self.tok
        if arg.kind != "str":
            raise self.error(f"{kind}() takes a string literal")
        self.take()
        self.expect(")")
        try:
            return _TEMPORAL[kind](_unquote(self.text, arg))
        except ValueError as exc:
            raise self.error(f"invalid {kind}: {exc}", arg) from None

    @staticmethod
    def number(tok: _Tok) -> int | float:
        return float(tok.text) if "." in tok.text else int(tok.text)

    def positive_test(self) -> Test:
        if self.tok.kind == "op" and self.tok.text in ("<", "<=", ">", ">=", "=", "!="):
            op = self.take().text
            at = self.tok
            value = self.literal()
            if op == "=":
                return Equals(value)
            if op == "!=":
                return Not((Equals(value),))
            if value is None:
                raise self.error(f"cannot compare {op} null", at)
            return Comparison(op, value)  # type: ignore[arg-type]
        if self.tok.kind == "op" and self.tok.text in ("[", "(", "]"):
            low_closed = self.take().text == "["
            low = self.literal()
            self.expect("..")
            high = self.literal()
            close = self.accept("]", ")", "[")
            if close is None:
                raise self.error("expected ']', ')' or '[' to close the interval")
            if low is None or high is None:
                raise self.error("an interval cannot have a null end", close)
            return Range(low, high, low_closed, close.text == "]")
        return Equals(self.literal())

    def positive_list(self) -> tuple[Test, ...]:
        tests = [self.positive_test()]
        while self.accept(","):
            tests.append(self.positive_test())
        return tuple(tests)


def parse_unary_tests(text: str) -> UnaryTests:
    """Parse an input entry; raise :class:`FeelSyntaxError` outside the subset."""
    if text.strip() in ("", "-"):
        return UnaryTests(text, AnyTest())
    parser = _Parser(text)
    if parser.tok.text == "not" and parser.peek().text == "(":
        parser.i += 2
        tests = parser.positive_list()
        parser.expect(")")
        parser.expect_end()
        return UnaryTests(text, Not(tests))
    tests = parser.positive_list()
    parser.expect_end()
    return UnaryTests(text, tests[0] if len(tests) == 1 else Disjunction(tests))


def parse_feel_literal(text: str) -> Any:
    """The value of one FEEL literal (``"A"``, ``-1.5``, ``true``, ``date("…")``…)."""
    parser = _Parser(text)
    value = parser.literal()
    parser.expect_end()
    return value


def parse_feel_literal_list(text: str) -> list[Any]:
    """The values of a comma list of literals, as in ``outputValues``."""
    parser = _Parser(text)
    values = [parser.literal()]
    while parser.accept(","):
        values.append(parser.literal())
    parser.expect_end()
    return values
