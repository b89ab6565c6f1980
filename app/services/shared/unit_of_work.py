"""One unit of work: what a service changes is committed together when it succeeds, or not at all.

``with unit_of_work():`` around the writes of one service call commits when the block ends and, on any
error, rolls back and raises it again. A lost race (the instance row's version counter moved, a unique key
taken meanwhile) is raised as ``Conflict``: ``lost()``, when given, names who won. A unit opened inside
another joins it: the outermost unit commits, so a service that calls another commits once.

Some writes must stay even though the work around them fails (a refused attempt is audited, then the
refusal raised): they are a unit of their own, ``unit_of_work(own=True)``, which refuses to run inside
another unit (joined, the refusal would be rolled back with the work that raised it).

Jobs that walk many items (timers, reviews, the portfolio check, staffing re-checks, e-mail, imports, a
draft's check) commit item by item and record each item's failure under ``one_by_one``: their progress is
meant to be kept as they go, so they commit where each item ends rather than in one unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict
from app.extensions import db

_OPEN = "unit_of_work"  # the session.info key: a unit is open in this session


def in_unit() -> bool:
    return bool(db.session.info.get(_OPEN))


@contextmanager
def unit_of_work(lost: Callable[[], Exception] | None = None, *, own: bool = False) -> Iterator[None]:
    info = db.session.info
    if info.get(_OPEN):
        if own:
            raise RuntimeError("a unit of its own was opened inside another unit of work")
        yield
        return
    info[_OPEN] = True
    try:
        try:
            yield
        finally:
            info.pop(
                _OPEN, None
            )  # closed before its commit: work the commit sets off (an eager job) is its own
        db.session.commit()
    except (StaleDataError, IntegrityError) as exc:
        db.session.rollback()
        raise (
            lost() if lost else Conflict(_("This was changed by someone else meanwhile; reload to see it."))
        ) from exc
    except BaseException:
        db.session.rollback()
        raise
