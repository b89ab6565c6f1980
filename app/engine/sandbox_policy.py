"""RestrictedPython's policy with the sandbox's limits woven in, and what ``print`` is in a script.

The transformer rewrites the operations that can make a huge value into calls of the guards in
:mod:`app.engine.sandbox_limits` (which size the result before computing it), makes each call of a function
the script defines cost a step, sizes an f-string's values and refuses a format spec that is computed or
asks for a width beyond the length limit.
"""

from __future__ import annotations

import ast
import functools
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer

from app.engine.sandbox_builtins import spec_problem

_GUARDED_OPS = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_"}


def _number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _bounded(node: ast.BinOp) -> bool:
    """The result cannot grow past its operands by more than a constant, whatever they hold: no guard needed
    (``amount + 30``, ``ratio * 0.7``, ``amount % 7``: most of what cells and conditions compute)."""
    if isinstance(node.op, ast.Add):  # a number plus anything is a number (or a TypeError)
        return _number(node.left) or _number(node.right)
    if isinstance(node.op, ast.Mult):  # a float times anything is a float (or a TypeError)
        return any(isinstance(side, ast.Constant) and type(side.value) is float for side in (node.left, node.right))
    if isinstance(node.op, ast.Mod):  # a number's remainder (a format is guarded: its text comes from the left)
        return _number(node.left)
    return False


def _call(name: str, node: ast.AST, *args: ast.expr) -> ast.Call:
    func = ast.copy_location(ast.Name(name, ast.Load()), node)
    return ast.copy_location(ast.Call(func=func, args=list(args), keywords=[]), node)


class LimitedTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus the guards of ``sandbox_limits``: operations that can make a huge
    value go through a guard that sizes the result first; each call of a function the script defines costs
    a step; an f-string's value is sized and its format spec must be a small constant."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPS.get(type(node.op))
        return _call(guard, node, node.left, node.right) if guard and not _bounded(node) else node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = super().visit_FunctionDef(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_call("_step_", node)), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = super().visit_Lambda(node)
        node.body = ast.copy_location(ast.BoolOp(ast.Or(), [_call("_step_", node), node.body]), node.body)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) for p in parts):
                self.error(node, "an f-string's format spec must be written out, not computed")
            else:
                problem = spec_problem("".join(str(p.value) for p in parts))
                if problem:
                    self.error(node, problem)
        node = self.node_contents_visit(node)
        node.value = _call("_formatted_", node.value, node.value)
        return node


class DiscardedPrint:
    """``print`` in a script: the output is discarded (not even formatted); ``printed`` is empty."""

    def __init__(self, _getattr_: Any = None) -> None:
        pass

    def __call__(self) -> str:
        return ""

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        return None


# What makes an expression need a budget of its own: something that can loop or call (a comprehension, a
# lambda, a call: ``sum(range(n))``). Most cells and conditions (comparisons, arithmetic, paths, literals)
# hold none and pay nothing for one; their guarded operations still refuse what is too large.
_COUNTED = (ast.Call, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Starred,
            ast.JoinedStr, ast.Slice)


@functools.lru_cache(maxsize=4096)
def counted(source: str) -> bool:
    tree = ast.parse(source.strip(), "<expression>", "eval")
    return any(isinstance(node, _COUNTED) for node in ast.walk(tree))
