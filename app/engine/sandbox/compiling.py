"""How designers' code is checked and compiled: the refusal policy, before anything runs.

An AST pass refuses what the sandbox never runs (``import``, names and attributes starting with ``_``,
:data:`FORBIDDEN_NAMES`, :data:`FORBIDDEN_ATTRIBUTES`, ``global``, ``class``, ``while``...) and names the
offending line; then RestrictedPython compiles the code with our transformer
(:class:`~app.engine.sandbox.policy.LimitedTransformer`: its own policy, with the limits' guards woven in)
as defence in depth. The package docstring (:mod:`app.engine.sandbox`) states the whole policy.
"""

from __future__ import annotations

import ast
import functools
import re
import textwrap
import types

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from app.engine.sandbox.policy import LimitedTransformer

SCRIPT_FILENAME = "<script>"
EXPRESSION_FILENAME = "<expression>"

FORBIDDEN_NAMES = frozenset(
    {
        "exec",
        "eval",
        "open",
        "compile",
        "globals",
        "locals",
        "vars",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "input",
        "breakpoint",
        "help",
        "memoryview",
        "type",
        "object",
        "super",
        "classmethod",
        "staticmethod",
        "property",
        "dir",
        "exit",
        "quit",
        "reload",
        "execfile",
        "copyright",
        "credits",
        "license",
    }
)
# translate/maketrans can map each character to a long text: refused rather than estimated
FORBIDDEN_ATTRIBUTES = (
    frozenset({"format", "format_map", "mro", "translate", "maketrans"}) | INSPECT_ATTRIBUTES
)

_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Import: "import is not allowed",
    ast.ImportFrom: "import is not allowed",
    ast.Global: "global is not allowed",
    ast.Nonlocal: "nonlocal is not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.AsyncFunctionDef: "async is not allowed",
    ast.AsyncFor: "async is not allowed",
    ast.AsyncWith: "async is not allowed",
    ast.Await: "await is not allowed",
    ast.Yield: "yield is not allowed",
    ast.YieldFrom: "yield is not allowed",
    ast.With: "with is not allowed",
    ast.Match: "match is not allowed",
    ast.While: "while loops are not allowed (a loop must end: use for over a list or a range)",
}


class SandboxViolation(Exception):
    """A construct the sandbox refuses, with the line it stands on (1-based)."""

    def __init__(self, line: int | None, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


class _Checker(ast.NodeVisitor):
    """Collect every refused construct of one tree."""

    def __init__(self, expression: bool) -> None:
        self.expression = expression
        self.violations: list[SandboxViolation] = []

    def refuse(self, node: ast.AST, reason: str) -> None:
        self.violations.append(SandboxViolation(getattr(node, "lineno", None), reason))

    def generic_visit(self, node: ast.AST) -> None:
        reason = _REFUSED_NODES.get(type(node))
        if reason:
            self.refuse(node, reason)
        elif self.expression and isinstance(node, ast.NamedExpr):
            self.refuse(node, "assignment expressions are not allowed")
        elif isinstance(node, ast.Name):
            self._check_name(node, node.id)
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                self.refuse(node, f"attribute {node.attr!r} is not allowed (starts with '_')")
            elif node.attr in FORBIDDEN_ATTRIBUTES:
                self.refuse(node, f"attribute {node.attr!r} is not allowed")
        elif isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                self._check_name(node, node.name)
            for arg in ast.walk(node.args):
                if isinstance(arg, ast.arg):
                    self._check_name(arg, arg.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self._check_name(node, node.name)
        elif isinstance(node, ast.keyword) and node.arg:
            self._check_name(node, node.arg)
        super().generic_visit(node)

    def _check_name(self, node: ast.AST, name: str) -> None:
        if name.startswith("_"):
            self.refuse(node, f"name {name!r} is not allowed (starts with '_')")
        elif name in FORBIDDEN_NAMES:
            self.refuse(node, f"{name} is not allowed")


_RP_LINE = re.compile(r"^Line (\d+): (.*)$", re.S)


def _check(source: str, mode: str) -> tuple[list[SandboxViolation], types.CodeType | None]:
    """Our AST pass, then RestrictedPython's own policy; returns violations and code."""
    filename = EXPRESSION_FILENAME if mode == "eval" else SCRIPT_FILENAME
    try:
        tree = ast.parse(source, filename, mode)
    except SyntaxError as exc:
        return [SandboxViolation(exc.lineno, f"syntax error: {exc.msg}")], None
    checker = _Checker(expression=mode == "eval")
    checker.visit(tree)
    if checker.violations:
        return sorted(checker.violations, key=lambda v: v.line or 0), None
    compile_mode = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_mode(source, filename, policy=LimitedTransformer)
    found = []
    for error in result.errors:
        match = _RP_LINE.match(error)
        found.append(SandboxViolation(int(match[1]), match[2]) if match else SandboxViolation(None, error))
    return found, result.code


def _prepare_script(source: str) -> str:
    return textwrap.dedent(source)


def _prepare_expression(source: str) -> str:
    return source.strip()


def check_script(source: str) -> list[SandboxViolation]:
    """Every refused construct of a script, in line order; empty when it is acceptable."""
    return _check(_prepare_script(source), "exec")[0]


def check_expression(source: str) -> list[SandboxViolation]:
    """Every refused construct of an expression, in line order; empty when acceptable."""
    return _check(_prepare_expression(source), "eval")[0]


@functools.lru_cache(maxsize=4096)
def compile_script(source: str) -> types.CodeType:
    """Compile a script for :func:`run_script`; raise the first :class:`SandboxViolation`."""
    violations, code = _check(_prepare_script(source), "exec")
    if violations or code is None:
        raise violations[0] if violations else SandboxViolation(None, "nothing to run")
    return code


@functools.lru_cache(maxsize=4096)
def compile_expression(source: str) -> types.CodeType:
    """Compile an expression for :func:`evaluate`; raise the first violation."""
    violations, code = _check(_prepare_expression(source), "eval")
    if violations or code is None:
        raise violations[0] if violations else SandboxViolation(None, "nothing to run")
    return code
