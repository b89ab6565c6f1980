"""The only way code written by process designers runs: this package names what the engine may call.

Scripts (BPMN script tasks) and expressions (gateway conditions, DMN cells, timer
expressions) are checked by an AST pass that names the offending line, then compiled
with RestrictedPython (defence in depth) and run against a small allow-list of builtins.

Policy, decided here once:

* refused: ``import``/``from ... import``; any name or attribute starting with ``_``;
  the names in ``compiling.FORBIDDEN_NAMES`` anywhere (even as a data variable, so a diagram
  cannot shadow them); attributes in ``compiling.FORBIDDEN_ATTRIBUTES`` (``str.format`` and
  frame/code introspection); ``global``/``nonlocal``; ``class``; ``async``/``await``;
  ``yield``; ``with``; ``match``; assignment expressions (``:=``) inside expressions; ``while``
  (process tests run scripts on every save of a draft: a loop must end).
* allowed: ``def`` and ``lambda`` (functions a script defines are not kept in task data),
  ``for`` loops and comprehensions of at most ``iteration.MAX_ITERATIONS`` items each (so one
  over a list it keeps growing ends too), ``range()`` of at most as many numbers, ``try``/``except``/
  ``raise`` (a few exception classes are in the builtins), ``print`` (output is discarded).
* the clock is the bank's: ``date.today()``, ``datetime.now()``/``today()`` and ``fromtimestamp()``
  read Beijing's calendar and wall clock (naive), never the server's UTC, so a script run at 01:00
  Beijing time dates its work that day. ``datetime.utcnow()`` stays UTC. The ``date`` and ``datetime``
  a script sees make and recognise (``isinstance``) plain standard dates, so task data holds only those.
* limited: every evaluation runs under ``limits.LIMITS`` (the one place they are set): an
  operation that would make too large an integer (``10**10**10``, ``pow``, ``<<``), string, list or tuple
  (``*``, ``+``, ``%``, ``join``, ``ljust``/``rjust``/``center``/``zfill``, ``replace``, ``str()`` and
  f-strings of huge values) is refused *before* it is computed, since C code holding the interpreter
  cannot be interrupted; loop and comprehension items, calls of functions the script defines, ranges and
  the items operations build all draw on one budget of steps per evaluation, and each step checks a
  wall-clock deadline (nested loops end). A caller bounds many evaluations together with
  ``limits.deadline`` (a draft's checks, one engine action). Past a limit: :class:`ScriptLimitExceeded`
  naming the line and the limit; a script's ``except`` cannot swallow it. ``print`` output is discarded
  unformatted. A comparison, ``in``, sort, ``min``/``max`` or set that would look at too many characters and
  items (a value held many times counted each time: ``[s] * n == [t] * n``) is refused before C runs it
  (``compare``); a dict or set lookup and a comparison with a literal are not weighed.

Where each part stands:

* :mod:`~app.engine.sandbox.compiling`: the AST check and RestrictedPython's compile;
* :mod:`~app.engine.sandbox.namespace`: the builtins and guard hooks the code sees;
* :mod:`~app.engine.sandbox.running`: ``run_script`` and ``evaluate``, under the limits;
* :mod:`~app.engine.sandbox.policy`: the transformer that puts the guards in the code;
* :mod:`~app.engine.sandbox.limits`, :mod:`~app.engine.sandbox.builtins`, :mod:`~app.engine.sandbox.compare`,
  :mod:`~app.engine.sandbox.iteration`: the guards.

``limits`` is named here as a module: read ``limits.LIMITS`` at call time (tests replace it);
``limits.deadline`` bounds many evaluations together.
"""

from app.engine.sandbox import limits
from app.engine.sandbox.compiling import (
    SandboxViolation,
    check_expression,
    check_script,
    compile_expression,
    compile_script,
)
from app.engine.sandbox.limits import LIMITS, bounded_checks
from app.engine.sandbox.namespace import SAFE_BUILTINS
from app.engine.sandbox.running import ScriptError, ScriptLimitExceeded, evaluate, run_script

__all__ = [
    "LIMITS",
    "SAFE_BUILTINS",
    "SandboxViolation",
    "ScriptError",
    "ScriptLimitExceeded",
    "bounded_checks",
    "check_expression",
    "check_script",
    "compile_expression",
    "compile_script",
    "evaluate",
    "limits",
    "run_script",
]
