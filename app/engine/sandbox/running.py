"""Designers' code run: :func:`run_script` (a script over task data) and :func:`evaluate` (an expression).

Each is compiled once (:mod:`~app.engine.sandbox.compiling`) and runs against the sandbox's builtins
(:mod:`~app.engine.sandbox.namespace`) as one evaluation under the limits (:mod:`~app.engine.sandbox.limits`:
a budget of steps and a deadline). A failure comes back as :class:`ScriptError` naming the designer's line;
a limit passed, as :class:`ScriptLimitExceeded`, even when the script's own ``except`` caught it.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from typing import Any

from app.engine.sandbox import limits
from app.engine.sandbox.compiling import (
    EXPRESSION_FILENAME,
    SCRIPT_FILENAME,
    compile_expression,
    compile_script,
)
from app.engine.sandbox.limits import LimitExceeded
from app.engine.sandbox.namespace import builtins_for
from app.engine.sandbox.policy import DiscardedPrint, counted


class ScriptError(Exception):
    """A script or expression failed while running (not a sandbox refusal).

    ``line`` is the line of the designer's source that raised; ``message`` reads like
    ``"ZeroDivisionError: division by zero"``; the original exception is ``__cause__``.
    """

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line is not None else message)


class ScriptLimitExceeded(ScriptError):
    """A script or expression went past one of the sandbox's limits (``LIMITS``): the message names it."""


def _script_error(exc: Exception | LimitExceeded, filename: str) -> ScriptError:
    """The designer's error, at the line of their code it was raised from (the last frame in ``filename``)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        line = tb.tb_lineno if tb.tb_frame.f_code.co_filename == filename else line
        tb = tb.tb_next
    if isinstance(exc, LimitExceeded):
        error: ScriptError = ScriptLimitExceeded(line, f"limit exceeded: {exc}")
    else:
        error = ScriptError(line, f"{type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error


def _is_helper(value: Any) -> bool:
    return isinstance(
        value, (types.FunctionType, types.BuiltinFunctionType, type, types.ModuleType, DiscardedPrint)
    )


def run_script(
    source: str, data: dict[str, Any], functions: Mapping[str, Callable[..., Any]] | None = None
) -> None:
    """Run a script with ``data`` as its namespace (task data semantics).

    Names the script binds land in ``data``; names it deletes leave it. Builtins,
    ``functions``, guards and functions the script defines are never left in ``data``.
    On error no name binding is applied (in-place changes to mutable values may be)
    and :class:`ScriptError` is raised; a refused construct raises SandboxViolation.
    """
    code = compile_script(source)
    namespace: dict[str, Any] = dict(data)
    namespace["__builtins__"] = builtins_for(functions)
    previous = limits.enter(script=True)
    try:
        exec(code, namespace)  # noqa: S102 - restricted code, guarded builtins
    except LimitExceeded as exc:
        limits.leave(previous)
        raise _script_error(exc, SCRIPT_FILENAME) from None
    except Exception as exc:  # noqa: BLE001 - every failure becomes a ScriptError
        exceeded = limits.leave(previous)
        raise _script_error(exceeded or exc, SCRIPT_FILENAME) from exc
    exceeded = limits.leave(previous)
    if exceeded:  # caught by a bare ``except:`` in the script: still past the limit
        raise _script_error(exceeded, SCRIPT_FILENAME) from None
    for name in [name for name in data if name not in namespace]:
        del data[name]
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if name in data and data[name] is value:
            continue
        if _is_helper(value):
            data.pop(name, None)
            continue
        data[name] = value


def evaluate(
    source: str, data: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]] | None = None
) -> Any:
    """Evaluate an expression against ``data``; errors raise :class:`ScriptError`."""
    code = compile_expression(source)
    namespace: dict[str, Any] = dict(data)
    namespace["__builtins__"] = builtins_for(functions)
    if not counted(source):
        try:
            return eval(code, namespace)  # noqa: S307 - restricted code, guarded builtins
        except LimitExceeded as exc:
            raise _script_error(exc, EXPRESSION_FILENAME) from None
        except Exception as exc:  # noqa: BLE001
            raise _script_error(exc, EXPRESSION_FILENAME) from exc
    previous = limits.enter()
    try:
        result = eval(code, namespace)  # noqa: S307 - restricted code, guarded builtins
    except LimitExceeded as exc:
        limits.leave(previous)
        raise _script_error(exc, EXPRESSION_FILENAME) from None
    except Exception as exc:  # noqa: BLE001
        exceeded = limits.leave(previous)
        raise _script_error(exceeded or exc, EXPRESSION_FILENAME) from exc
    exceeded = limits.leave(previous)
    if exceeded:
        raise _script_error(exceeded, EXPRESSION_FILENAME) from None
    return result
