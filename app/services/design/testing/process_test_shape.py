"""What a process tests file (``workflows/<process>.tests.json``) and each of its cases must look like, before
any case runs. The file, its groups' members and the customers' classes a case or a step may give: each
returns the problem in words, or None. A case (``check_case``): its steps and expected end state, and every
task, timer, message and end event it names one the process has; else ``CaseFailed``, which a case played
through the process (``process_test_play``) raises too, at its first difference."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app import engine

STATUSES = ("completed", "waiting")
STEP_KINDS = ("task", "timer", "message")


class CaseFailed(Exception):
    """Where a case failed (its step, counted from 1, 0: the start, None: the end state), and how."""

    def __init__(
        self,
        step: int | None,
        element: str | None,
        message: str,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message)
        self.step, self.element, self.message, self.expected, self.actual = (
            step,
            element,
            message,
            expected,
            actual,
        )


def shape_problem(spec: Any) -> str | None:
    if (
        not isinstance(spec, dict)
        or not isinstance(spec.get("process"), str)
        or not isinstance(spec.get("cases"), list)
    ):
        return 'needs {"process": "<process id>", "cases": [...]}'
    return (
        members_problem(spec.get("members", {}))
        or classes_problem(spec.get("classes", {}))
        or circles_problem(spec.get("circles", []))
        or crowded_problem(spec.get("crowded", []))
    )


def members_problem(members: Any) -> str | None:
    if not isinstance(members, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in members.values()
    ):
        return '"members" must map each group to a list of usernames'
    return None


def classes_problem(classes: Any) -> str | None:
    if not isinstance(classes, dict) or not all(isinstance(c, str) for c in classes.values()):
        return '"classes" must map each credit code to a five-category class'
    return None


def circles_problem(circles: Any) -> str | None:
    if not isinstance(circles, list) or not all(isinstance(c, str) for c in circles):
        return '"circles" must list the credit codes of customers in a guarantee circle'
    return None


def crowded_problem(crowded: Any) -> str | None:
    if not isinstance(crowded, list) or not all(isinstance(c, str) for c in crowded):
        return '"crowded" must list the industries where more credit would breach a concentration limit'
    return None


def listed(ids: Iterable[str]) -> str:
    return ", ".join(sorted(ids)) or "none"


def _ids(bundle: engine.Bundle) -> tuple[set[str], set[str], set[str], set[str]]:
    events = engine.simulation_ids(bundle)
    return set(bundle.user_tasks), events["timers"], events["messages"], events["ends"]


def check_case(bundle: engine.Bundle, case: Any) -> None:
    """Refuse a case the process cannot even be asked to run: a wrong shape, an element it lacks."""
    if not isinstance(case, dict):
        raise CaseFailed(None, None, "a case must be an object with steps and expected")
    steps, expected = case.get("steps", []), case.get("expected")
    if (
        not isinstance(steps, list)
        or not isinstance(expected, dict)
        or not isinstance(case.get("start", {}), dict)
    ):
        raise CaseFailed(
            None,
            None,
            'a case needs "steps" (a list), "expected" (an object) and, if any, "start" (an object)',
        )
    members = (
        members_problem(case.get("members", {}))
        or classes_problem(case.get("classes", {}))
        or circles_problem(case.get("circles", []))
        or crowded_problem(case.get("crowded", []))
    )
    if members:
        raise CaseFailed(None, None, members)
    tasks, timers, messages, ends = _ids(bundle)
    start_message = case.get("start_message")
    if start_message is not None and not isinstance(start_message, str):
        raise CaseFailed(0, None, '"start_message" must name a message (a string)')
    if start_message is not None and start_message not in bundle.start_messages:
        raise CaseFailed(
            0,
            start_message,
            f"{bundle.process_id} does not start on the message {start_message!r} "
            f"(it starts on: {listed(bundle.start_messages)})",
        )
    for index, step in enumerate(steps, 1):
        kinds = [k for k in STEP_KINDS if isinstance(step, dict) and k in step]
        if len(kinds) != 1 or not isinstance(step.get("data", {}), dict):
            raise CaseFailed(
                index,
                None,
                f"step {index} must name exactly one of task, timer or message "
                "(and its data, if any, as an object)",
            )
        kind = kinds[0]
        element = step[kind]
        assignee = step.get("assignee")
        if not isinstance(element, str) or not (assignee is None or isinstance(assignee, str)):
            raise CaseFailed(
                index, None, f"step {index}: the {kind} (and the assignee, if any) must be named by a string"
            )
        members = members_problem(step.get("members", {}))
        if members:
            raise CaseFailed(index, element, f"step {index}: {members}")
        known = {"task": tasks, "timer": timers, "message": messages}[kind]
        if element not in known:
            what = {
                "task": "user task",
                "timer": "timer event",
                "message": "message a catch event waits for",
            }[kind]
            raise CaseFailed(
                index,
                str(element),
                f"step {index} names the {kind} {element!r}: {bundle.process_id} "
                f"has no such {what} ({kind}s: {listed(known)})",
            )
    status = expected.get("status")
    if status not in STATUSES:
        raise CaseFailed(None, None, f'expected "status" must be one of {", ".join(STATUSES)}')
    if not isinstance(expected.get("end", ""), str):
        raise CaseFailed(None, None, 'expected "end" must name an end event (a string)')
    if "end" in expected and expected["end"] not in ends:
        raise CaseFailed(
            None,
            expected["end"],
            f"expected end {expected['end']!r} is not an end event of "
            f"{bundle.process_id} (end events: {listed(ends)})",
        )
    ready = expected.get("ready", [])
    if not isinstance(ready, list) or not all(isinstance(t, str) for t in ready):
        raise CaseFailed(None, None, 'expected "ready" must be a list of user task ids')
    unknown = [t for t in ready if t not in tasks]
    if unknown:
        raise CaseFailed(
            None,
            None,
            f"expected ready {listed(map(str, unknown))}: not user tasks of "
            f"{bundle.process_id} (user tasks: {listed(tasks)})",
        )
