"""RestrictedPython's policy with the sandbox's limits woven in, and what ``print`` is in a script.

The transformer rewrites the operations that can make a huge value into calls of the guards in
:mod:`app.engine.sandbox.limits` (which size the result before computing it), makes each call of a function
the script defines cost a step, sizes an f-string's values and refuses a format spec that is computed or
asks for a width beyond the length limit.
"""

from __future__ import annotations

import ast
import functools
from typing import Any, cast

from RestrictedPython.transformer import RestrictingNodeTransformer

from app.engine.sandbox.builtins import spec_problem

_GUARDED_OPS = {
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
    ast.BitOr: "_or_",
    ast.BitAnd: "_and_",
    ast.Sub: "_sub_",
    ast.BitXor: "_xor_",
}
_SET_OPS = (ast.BitOr, ast.BitAnd, ast.Sub, ast.BitXor)  # between sets they compare items


def _number(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) in (int, float)


def _bounded(node: ast.BinOp) -> bool:
    """The result cannot grow past its operands by more than a constant, whatever they hold: no guard needed
    (``amount + 30``, ``ratio * 0.7``, ``amount % 7``: most of what cells and conditions compute)."""
    if isinstance(node.op, ast.Add):  # a number plus anything is a number (or a TypeError)
        return _number(node.left) or _number(node.right)
    if isinstance(node.op, ast.Mult):  # a float times anything is a float (or a TypeError)
        return any(
            isinstance(side, ast.Constant) and type(side.value) is float for side in (node.left, node.right)
        )
    if isinstance(
        node.op, ast.Mod
    ):  # a number's remainder (a format is guarded: its text comes from the left)
        return _number(node.left)
    if isinstance(node.op, _SET_OPS):  # a set with a number is a TypeError
        return _number(node.left) or _number(node.right)
    return False


def _constant(node: ast.expr | None) -> bool:
    """A literal: what comparing with it may look at is written in the source."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_constant(elt) for elt in node.elts)
    if isinstance(node, ast.Dict):
        return all(_constant(part) for part in (*node.keys, *node.values))
    return False


def _key(node: ast.expr) -> ast.expr:
    """``node`` through ``_key_`` (a tuple a dict or set hashes and compares is weighed), unless a literal."""
    return node if _constant(node) else _call("_key_", node, node)


def _starred(node: ast.Starred, guard: str) -> ast.Starred:
    node.value = _call(guard, node.value, node.value)
    return node


_FREE_OPS = (ast.Is, ast.IsNot)
_SEARCH_OPS = (ast.In, ast.NotIn)


def _guard_compare(node: ast.Compare) -> None:
    """Each operand of a comparison through ``_compared_`` (the right of ``in``: ``_searched_``), in place,
    so a chain still evaluates each once and stops early; none beside a literal or ``is``."""
    operands = [node.left, *node.comparators]
    guards: list[list[str]] = [[] for _ in operands]
    for i, op in enumerate(node.ops):
        if (
            isinstance(op, _SEARCH_OPS)
            and isinstance(operands[i + 1], (ast.Set, ast.Dict))
            and not _constant(operands[i])
        ):
            guards[i].append("_key_")  # looked up in a literal set or dict: hashed, so a tuple is weighed
        if isinstance(op, _FREE_OPS) or _constant(operands[i]) or _constant(operands[i + 1]):
            continue
        guards[i].append("_compared_")
        guards[i + 1].append("_searched_" if isinstance(op, _SEARCH_OPS) else "_compared_")
    wrapped = []
    for operand, names in zip(operands, guards, strict=True):
        for name in dict.fromkeys(names):
            operand = _call(name, operand, operand)
        wrapped.append(operand)
    node.left, node.comparators = wrapped[0], wrapped[1:]


def _call(name: str, node: ast.AST, *args: ast.expr) -> ast.Call:
    func = ast.copy_location(ast.Name(name, ast.Load()), node)
    return ast.copy_location(ast.Call(func=func, args=list(args), keywords=[]), node)


class LimitedTransformer(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus the guards of ``limits``: operations that can make a huge
    value go through a guard that sizes the result first; comparisons, ``in`` and set operations through
    one that weighs what they will look at (``compare``); each call of a function the script
    defines costs a step; an f-string's value is sized and its format spec must be a small constant."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        guard = _GUARDED_OPS.get(type(node.op))
        return _call(guard, node, node.left, node.right) if guard and not _bounded(node) else node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        node = self.node_contents_visit(node)
        _guard_compare(node)
        return node

    def visit_Set(self, node: ast.Set) -> ast.AST:
        node = self.node_contents_visit(node)
        node.elts = [
            _starred(elt, "_members_") if isinstance(elt, ast.Starred) else _key(elt) for elt in node.elts
        ]
        return node

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        node = self.node_contents_visit(node)
        node.values = [
            _call("_members_", value, value) if key is None else value
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        node.keys = [key if key is None else _key(key) for key in node.keys]
        return node

    # RestrictedPython types every visit_* as returning any visit result (a node, nodes or None); the
    # ones these extend return the node they were given, its contents visited (Subscript: a Call for a load).

    def visit_SetComp(self, node: ast.SetComp) -> ast.AST:
        node = cast(ast.SetComp, super().visit_SetComp(node))
        node.elt = _key(node.elt)
        return node

    def visit_DictComp(self, node: ast.DictComp) -> ast.AST:
        node = cast(ast.DictComp, super().visit_DictComp(node))
        node.key = _key(node.key)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        keyed = not isinstance(node.slice, ast.Slice)
        visited = cast(ast.AST, super().visit_Subscript(node))
        if keyed and isinstance(visited, ast.Subscript):  # a store or del: a load's _getitem_ weighs its key
            visited.slice = _key(visited.slice)
        return visited

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node = cast(ast.FunctionDef, super().visit_FunctionDef(node))
        node.body.insert(0, ast.copy_location(ast.Expr(_call("_step_", node)), node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        node = cast(ast.Lambda, super().visit_Lambda(node))
        node.body = ast.copy_location(ast.BoolOp(ast.Or(), [_call("_step_", node), node.body]), node.body)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            constants = [p for p in parts if isinstance(p, ast.Constant)]
            if len(constants) < len(parts):
                self.error(node, "an f-string's format spec must be written out, not computed")
            else:
                problem = spec_problem("".join(str(p.value) for p in constants))
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
_COUNTED = (
    ast.Call,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.Starred,
    ast.JoinedStr,
    ast.Slice,
)


@functools.lru_cache(maxsize=4096)
def counted(source: str) -> bool:
    tree = ast.parse(source.strip(), "<expression>", "eval")
    return any(isinstance(node, _COUNTED) for node in ast.walk(tree))
