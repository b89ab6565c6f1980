"""The one place the ``process_instance`` row is written: a compare-and-set on its version counter.

A case has one concurrency mechanism, explicit in SQL. After its insert, every write of the row is one Core
statement, ``UPDATE process_instance SET ... WHERE id = :id AND version = :expected``:

- a step (``steps.run_step``, whatever moves the case: a task completed, a timer fired, a message, a
  withdrawal, a move to another version or back) writes its new state with ``version = :expected + 1``;
- a column a listener adds within that step's transaction (the customer the case is linked to) is written
  ``WHERE version =`` the version the step just wrote, without moving it again.

No row updated means another transaction moved the case first: ``StaleDataError``, which ``unit_of_work``
rolls back and turns into a 409 naming who won (``steps.lost_race``). The ORM neither checks nor bumps the
version (the model has no ``version_id_col``) and never flushes this row: the model refuses an ORM update of
it and ``rows.write`` refuses it, so no write bypasses the check.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import ProcessInstance
from app.services.shared.rows import insert_returning_id

# Built once, so SQLAlchemy reuses its cache key and compiled form (see ``rows``).
_INSTANCES = ProcessInstance.__table__
_WRITE = update(_INSTANCES).where(
    _INSTANCES.c.id == bindparam("row_id"), _INSTANCES.c.version == bindparam("expected_version")
)


def insert(values: dict[str, Any]) -> ProcessInstance:
    """A new case's row, inserted with one Core statement and attached to the session as stored (an ORM
    flush of one object costs several times more)."""
    instance = ProcessInstance(id=insert_returning_id(ProcessInstance, values), **values)
    make_transient_to_detached(instance)
    db.session.add(instance)
    return instance


def write(instance: ProcessInstance, values: dict[str, Any], *, new_version: bool = True) -> None:
    """``UPDATE ... WHERE version = :expected`` in one statement, ``expected`` being the version ``instance``
    was loaded (or last written) at; with ``new_version`` the row moves to the next version. No row means
    someone else's step committed first (StaleDataError, turned into a 409 by the unit of work). The values
    are then set on ``instance`` as stored."""
    expected = instance.version
    if new_version:
        values = {**values, "version": expected + 1}
    elif "version" in values:
        raise ValueError("the version moves only with a step (new_version=True)")
    done = db.session.connection().execute(
        _WRITE, {**values, "row_id": instance.id, "expected_version": expected}
    )
    if done.rowcount != 1:
        raise StaleDataError(f"process instance {instance.id} is no longer at version {expected}")
    for key, value in values.items():
        set_committed_value(instance, key, value)
