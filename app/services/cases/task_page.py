"""What a task's page shows to one user, gathered by one call: the task with its form and data
(``tasks.open_task``, which checks that the user may act on it), whom the user could hand it to, whether
they may withdraw its application, and for a kind that gathers them there the case's attached documents.

Each part keeps the authorization of the service that owns it; this module only gathers them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from app.models import User
from app.services.attachments import pages as attachment_pages
from app.services.cases import delegation, tasks, withdrawal
from app.services.cases.tasks import TaskForm


@dataclass(frozen=True)
class TaskPage:
    """The task page's parts, named as its template reads them."""

    view: TaskForm
    colleagues: list[User]  # whom the user could delegate the task to
    can_withdraw: bool
    # the case's attached documents, on the task pages of a kind that gathers them there (an inspection's photos)
    documents: attachment_pages.CaseDocuments | None = None

    def names(self) -> dict[str, Any]:
        """The parts by name, for the template (the view adds the data the form shows and its errors)."""
        return {part.name: getattr(self, part.name) for part in fields(self)}


def task_page(
    user: User, task_id: int, *, customer_query: str | None = None, customer_id: int | None = None
) -> TaskPage:
    """Everything the page of task ``task_id`` shows to ``user`` (who must be able to act on it); a task that
    was opened again meanwhile is refused as ``tasks.open_task`` refuses it (Conflict naming the new task).
    On an intake, ``customer_query`` searches the customers to pick from and ``customer_id`` fills in the one
    picked (``intake_pick``)."""
    view = tasks.open_task(user, task_id, customer_query=customer_query, customer_id=customer_id)
    instance = view.task.instance
    gathers = view.facts is not None and view.facts.kind.documents_on_task
    return TaskPage(
        view=view,
        colleagues=delegation.colleagues_for(user, view.task),
        can_withdraw=withdrawal.may_withdraw(user, instance),
        documents=attachment_pages.for_case(user, instance, view.data) if gathers else None,
    )
