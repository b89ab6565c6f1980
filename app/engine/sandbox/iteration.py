"""The iteration guards of designers' code: loops, comprehensions, ``range()`` and C iterators (used by
:mod:`app.engine.sandbox`).

A ``for`` loop or comprehension may take at most :data:`MAX_ITERATIONS` items (so one over a list it keeps
growing ends too), and ``range()`` may hold at most as many numbers. Every item a loop, a comprehension or a
C iterator (``map``, ``filter``, ``zip``, ``enumerate``, ``reversed``) gives costs a step of the evaluation's
budget and a look at its deadline (:mod:`app.engine.sandbox.limits`), so nested loops and iterators that C
consumes end too.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from app.engine.sandbox import limits

MAX_ITERATIONS = 1_000_000  # items one for loop or comprehension may take; the longest range()


def stepped(make: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    """``map``, ``filter``, ``zip``, ``enumerate``, ``reversed``: C iterators. Consumed in C (``list()``,
    ``sorted()``, ``sum()``, ``max()``...) they would call a function or hand over items a million times with
    no step between: each item they give costs a step and a look at the deadline, as a loop's item does."""

    def call(*args: Any, **kwargs: Any) -> Iterator[Any]:
        return bounded_iter(make(*args, **kwargs))

    call.__name__ = make.__name__
    return call


def bounded_iter(iterable: Any) -> Iterator[Any]:
    """Every for loop and comprehension iterates through this (RestrictedPython's ``_getiter_``): each
    item costs a step of the evaluation's budget (which checks its deadline)."""
    budget, clock = limits._current(), time.monotonic
    for count, item in enumerate(iterable, 1):
        if count > MAX_ITERATIONS:
            raise RuntimeError(f"a loop ran more than {MAX_ITERATIONS:,} times")
        budget.left -= 1
        if budget.left < 0 or budget.exceeded is not None or clock() > budget.ends:
            budget.step(0)  # raises, naming the limit
        yield item


def bounded_range(*args: int) -> range:
    """``range()`` of at most :data:`MAX_ITERATIONS` numbers; a long one costs its size in steps."""
    numbers = range(*args)
    try:
        size = len(numbers)
    except OverflowError:  # more numbers than a C size: far too many anyway
        size = MAX_ITERATIONS + 1
    if size > MAX_ITERATIONS:
        raise ValueError(f"range() of more than {MAX_ITERATIONS:,} numbers is not allowed")
    if size > 64:
        limits.step(size)  # what C may run through it (sum, list) without a loop step
    return numbers
