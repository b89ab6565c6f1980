"""What other rooms do when a case takes a step: listeners, registered once in the app factory in a fixed
order (``app/step_reactions.py``), so ``steps`` knows none of them by name.

Two hooks, both run by ``steps.run_step`` inside the step's transaction, after the engine's outcome is
projected (tasks, instance row) and before the commit:

- ``rows``: listeners that write rows of their own room (the customer's master data first, then the customer
  on the documents attached before the case had one, risk controls, reviews, notifications, staffing gaps). A failure rolls the whole step back.
- ``jobs``: listeners that queue jobs for what the step decided (the decided case's documents). A job is a
  row of the job outbox, committed with the step and sent to the broker only after the commit
  (``dispatch``): it exists exactly when the step does, however the step came about (a person, a timer, a
  message).

Listeners run with autoflush off (a listener's half-built rows are not flushed by another's query).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from app import engine
from app.models import ProcessInstance, User
from app.services.cases.projections import TaskChanges

EXTENSION = "step_reactions"


@dataclass(frozen=True)
class StepTaken:
    """One step, as listeners see it: the case (its row already carries the outcome), what the engine did,
    who moved it (None: the system) and which tasks it opened and closed."""

    instance: ProcessInstance
    result: engine.StepResult
    actor: User | None
    changes: TaskChanges


Listener = Callable[[StepTaken], None]


@dataclass
class Reactions:
    """The listeners of each hook, in the order they run."""

    rows: list[tuple[str, Listener]] = field(default_factory=list)
    jobs: list[tuple[str, Listener]] = field(default_factory=list)

    def on_rows(self, name: str, listener: Listener) -> None:
        self.rows.append((name, listener))

    def on_jobs(self, name: str, listener: Listener) -> None:
        self.jobs.append((name, listener))

    def order(self) -> list[str]:
        """Every listener's name, in the order a step runs them."""
        return [name for name, _listener in self.rows + self.jobs]

    def run(self, step: StepTaken) -> None:
        for _name, listener in self.rows + self.jobs:
            listener(step)


def installed() -> Reactions:
    """The app's listeners (``create_app`` registers them: a step never runs without them)."""
    return current_app.extensions[EXTENSION]
