"""Human tasks: who may act on them, claiming, opening and completing them, the queues they wait in.

Other rooms call the names below (``from app.services.cases import tasks``; ``tasks.claim(...)``):
``access`` (``get_task``, ``check_may_act``: the refusals), ``claiming`` (``claim``, ``unclaim``), ``forms``
(``open_task``, ``TaskForm``, ``customer_matches``), ``completion`` (``complete``), ``queues`` (``my_tasks``,
``sign_off_inbox``, ``next_in_queue``, ``first_open_task``, ``api_tasks``, ``TaskList``)."""

from app.services.cases.tasks.access import check_may_act, get_task
from app.services.cases.tasks.claiming import claim, unclaim
from app.services.cases.tasks.completion import complete
from app.services.cases.tasks.forms import TaskForm, customer_matches, open_task
from app.services.cases.tasks.queues import (
    TaskList,
    api_tasks,
    first_open_task,
    my_tasks,
    next_in_queue,
    sign_off_inbox,
)

__all__ = [
    "TaskForm",
    "TaskList",
    "api_tasks",
    "check_may_act",
    "claim",
    "complete",
    "customer_matches",
    "first_open_task",
    "get_task",
    "my_tasks",
    "next_in_queue",
    "open_task",
    "sign_off_inbox",
    "unclaim",
]
