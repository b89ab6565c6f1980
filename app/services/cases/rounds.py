"""What changed between rounds of a case: the figures an officer resubmitted after a return.

An approver looking at a resubmitted case sees, field by field, what the officer changed
since the round they (or a colleague) returned. Read from the task projection: the last two
submissions of any officer task completed more than once in the case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select

from app.extensions import db
from app.forms.schema import Field, as_form_schema
from app.models import HumanTask
from app.services.approval.lanes import APPROVAL_LANES


@dataclass(frozen=True)
class Change:
    task_spec: str
    field: str
    label_field: Field | None  # the form field, for its title and how its values read
    before: Any
    after: Any


_COMPLETED = (
    select(HumanTask)
    .where(
        HumanTask.instance_id == bindparam("instance_id"),
        HumanTask.state == "completed",
        HumanTask.submitted.is_not(None),
    )
    .order_by(HumanTask.completed_at, HumanTask.id)
)


def changes_since_last_round(instance_id: int, forms: Mapping[str, dict]) -> list[Change]:
    """Each field whose submitted value differs between the last two rounds of a resubmitted task
    (``forms``: the deployed forms, for the fields' titles)."""
    rounds: dict[str, list[HumanTask]] = {}
    for task in db.session.scalars(_COMPLETED, {"instance_id": instance_id}):
        if task.lane not in APPROVAL_LANES:
            rounds.setdefault(task.task_spec, []).append(task)
    changes = []
    for spec, done in rounds.items():
        if len(done) < 2:
            continue
        before, after = done[-2].submitted or {}, done[-1].submitted or {}
        name = done[-1].form
        form = as_form_schema(forms[name]) if name is not None and name in forms else None
        for field in dict.fromkeys([*before, *after]):
            if before.get(field) != after.get(field):
                changes.append(
                    Change(
                        spec, field, form.field(field) if form else None, before.get(field), after.get(field)
                    )
                )
    return changes
