"""A small cache of values made once per key, holding only the last few: what a deployed version names, read
from its files once per content hash (a deployed version never changes, so nothing is ever stale, but the
versions read over a long-lived worker's life are not all kept)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import suppress
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """The values of the last ``size`` keys used; the one used longest ago is let go first.

    Threads may share it: two that miss the same key at once both make the value and the later one is kept
    (making one must have no effect beyond its result); one found is returned even if another thread lets
    it go meanwhile."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for ``key``, or ``make()``'s, kept from now on."""
        try:
            found = self._values[key]
        except KeyError:
            pass
        else:
            with suppress(KeyError):  # another thread let it go meanwhile: it is still returned
                self._values.move_to_end(key)
            return found
        value = self._values[key] = make()
        if len(self._values) > self.size:
            with suppress(KeyError):  # another thread let it go first
                self._values.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._values)
