"""Recently stepped workflows kept in memory, found again by their exact stored state.

Restoring a workflow from JSON is the dearest part of a step. A case is usually worked by
the same process a moment later, so each step leaves the workflow it produced here, keyed
by the bundle and the state string it was stored as. The next step on that state takes it
instead of parsing it again.

The key is the state itself, so the cache can never serve something else than the database
holds: a step that was rolled back, or state written by another process, is simply a miss.
An entry is taken out while a step runs on it (a failed step leaves nothing behind) and
evicted oldest first beyond ``size`` entries. ``size`` 0 turns the cache off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str], tuple[Any, Any]] = OrderedDict()
_size = 0


def configure(size: int) -> None:
    """Keep at most ``size`` workflows (0: keep none); drops what no longer fits."""
    global _size
    with _lock:
        _size = max(0, int(size))
        while len(_entries) > _size:
            _entries.popitem(last=False)


def take(bundle, state: str):
    """The workflow stored as ``state`` on ``bundle``, removed from the cache; None on a miss."""
    with _lock:
        entry = _entries.pop((bundle.content_hash, state), None)
    if entry is None or entry[0] is not bundle:  # a rebuilt bundle has new spec objects
        return None
    return entry[1]


def put(bundle, state: str, workflow) -> None:
    """Keep ``workflow``, which ``state`` is the serialized form of."""
    if not _size:
        return
    with _lock:
        _entries[(bundle.content_hash, state)] = (bundle, workflow)
        while len(_entries) > _size:
            _entries.popitem(last=False)


def held() -> int:
    """How many workflows are kept now."""
    return len(_entries)
