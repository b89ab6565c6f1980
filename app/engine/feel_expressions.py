"""Simple FEEL expressions (DMN input expressions, output entries) translated to Python.

The sandbox then runs the Python. See :mod:`app.engine.feel` for the subset and the parser
this builds on.
"""

from __future__ import annotations

import datetime as dt
import keyword
from typing import Any

from app.engine.feel import FeelSyntaxError, _Parser, _Tok, _tokenize  # noqa: F401

_RESERVED = {
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "for",
    "some",
    "every",
    "in",
    "between",
    "instance",
    "function",
    "satisfies",
    "return",
}
_COMPARE = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


class _Translator(_Parser):
    """FEEL expression → fully parenthesized Python source."""

    def expression(self) -> str:
        if self.accept("if"):
            cond = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            return f"(({then}) if ({cond}) else ({self.expression()}))"
        return self.binary(0)

    _LEVELS: tuple[tuple[str, ...], ...] = (("or",), ("and",), tuple(_COMPARE), ("+", "-"), ("*", "/"))

    def binary(self, level: int) -> str:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (tok := self.accept(*self._LEVELS[level])) is not None:
            right = self.binary(level + 1)
            left = f"({left} {_COMPARE.get(tok.text, tok.text)} {right})"
            if level == 2:  # FEEL comparisons do not chain
                break
        return left

    def unary(self) -> str:
        if self.accept("-"):
            return f"(-{self.unary()})"
        base = self.postfix()
        if self.accept("**"):
            return f"({base} ** {self.unary()})"
        return base

    def postfix(self) -> str:
        source = self.primary()
        while self.tok.text == "." and self.peek().kind == "name":
            self.take()
            name = self.take()
            if self.tok.text == "(":
                raise self.error("method calls are not FEEL")
            if name.text.startswith("_"):  # left to the sandbox, which refuses it
                raise self.error("path names starting with '_' are not supported", name)
            source = f"{source}[{name.text!r}]"
        return source

    def primary(self) -> str:
        tok = self.tok
        if tok.kind in ("num", "str") or tok.text in ("true", "false", "null"):
            return self.python_literal(self.literal())
        if self.temporal_kind():
            return self.python_literal(self.literal())
        if self.accept("("):
            inner = self.expression()
            self.expect(")")
            return inner
        if self.accept("["):
            items = [] if self.tok.text == "]" else self.arguments()
            self.expect("]")
            return f"[{', '.join(items)}]"
        if tok.text == "not" and self.peek().text == "(":
            self.i += 2
            inner = self.expression()
            self.expect(")")
            return f"(not {inner})"
        if tok.kind != "name" or tok.text in _RESERVED or keyword.iskeyword(tok.text):
            raise self.error(f"unexpected {tok.text or 'end of text'!r}")
        self.take()
        if self.accept("("):
            args = [] if self.tok.text == ")" else self.arguments()
            self.expect(")")
            return f"{tok.text}({', '.join(args)})"
        return tok.text

    def arguments(self) -> list[str]:
        items = [self.expression()]
        while self.accept(","):
            items.append(self.expression())
        return items

    @staticmethod
    def python_literal(value: Any) -> str:
        if isinstance(value, dt.datetime):
            return f"datetime.fromisoformat({value.isoformat()!r})"
        if isinstance(value, dt.date):
            return f"date({value.year}, {value.month}, {value.day})"
        if isinstance(value, dt.time):
            raise FeelSyntaxError(str(value), 0, "time literals are not supported here")
        return repr(value)


def feel_expression_to_python(text: str) -> str:
    """Python source for a simple FEEL expression; FeelSyntaxError outside the subset."""
    translator = _Translator(text)
    if translator.tok.kind == "end":
        raise translator.error("empty expression")
    source = translator.expression()
    translator.expect_end()
    return source
