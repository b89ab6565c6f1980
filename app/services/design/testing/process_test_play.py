"""A process test's case played through the engine's simulation (``engine.Simulation``, in memory): started,
each step taken in turn (a form's data accepted as a submission is, a timer fired, a message delivered), and
the end state compared with the expected one. The first difference raises ``CaseFailed``."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from app import engine
from app.errors import InvalidInput
from app.risk.analysis import hand_set_rating
from app.services.design.forms.forms import accept, writable_fields
from app.services.design.testing.decision_tests import _matches
from app.services.design.testing.process_test_shape import STEP_KINDS, CaseFailed, listed


def _where(sim: engine.Simulation) -> str:
    """Where the instance is, in a few words."""
    if sim.completed:
        return f"the process completed at {sim.end or 'an end event'}"
    parts = [f"waiting: {listed({t.spec_id for t in sim.ready_tasks()})}"]
    if sim.waiting_timers():
        parts.append(f"timers: {listed(set(sim.waiting_timers()))}")
    if sim.waiting_messages():
        parts.append(f"messages: {listed(set(sim.waiting_messages()))}")
    return "; ".join(parts)


def _directory(
    members: Mapping[str, Any],
    classes: Mapping[str, Any],
    circles: Collection[str] = (),
    crowded: Collection[str] = (),
) -> dict:
    """The directory functions answering from ``members`` as it stands when a script calls them (nobody has
    worked a simulated case, so every member may also decide it), from ``classes`` (credit code → class on
    file; a customer not listed is new), from ``circles`` (the credit codes kept in a guarantee circle) and
    from ``crowded`` (the industries where any more credit would breach a concentration limit)."""

    def members_of(group: str) -> list[str]:
        return [str(m) for m in members.get(group, [])]

    def class_on_file(uscc: str | None) -> str | None:
        found = classes.get(uscc or "")
        return str(found) if found else None

    def circle_on_file(uscc: str | None) -> bool:
        return (uscc or "") in circles

    def concentration_over(industry: str | None, amount: Any) -> bool:
        return (industry or "") in crowded and bool(amount) and float(amount) > 0

    def model_rating(uscc: str | None, analysis: Any, facts: Any) -> dict:
        """No scoring model is approved in a simulation: the hand-set scorecard's PD stands."""
        return hand_set_rating(analysis if isinstance(analysis, dict) else {})

    return {
        "members_of": members_of,
        "voters_of": members_of,
        "model_rating": model_rating,
        "class_on_file": class_on_file,
        "circle_on_file": circle_on_file,
        "concentration_over": concentration_over,
    }


def play(bundle: engine.Bundle, spec: dict, case: dict, locale: str) -> None:
    members = {**spec.get("members", {}), **(case.get("members") or {})}
    classes = {**spec.get("classes", {}), **(case.get("classes") or {})}
    circles = {str(c) for c in [*spec.get("circles", []), *(case.get("circles") or [])]}
    crowded = {str(c) for c in [*spec.get("crowded", []), *(case.get("crowded") or [])]}
    start = case.get("start") or {}
    try:
        sim = engine.Simulation(bundle, _directory(members, classes, circles, crowded))
        if case.get("start_message"):
            sim.start_by_message(case["start_message"], start)
        else:
            sim.start(start)
    except Exception as exc:  # noqa: BLE001 — a designer's diagram may fail in any way: report it
        raise CaseFailed(0, case.get("start_message"), f"start: the process failed: {_reason(exc)}") from exc
    for index, step in enumerate(case.get("steps", []), 1):
        kind = next(k for k in STEP_KINDS if k in step)
        element = step[kind]
        where = f"step {index} ({kind} {element})"
        members.update(step.get("members") or {})  # someone joined or left a group before this step
        try:
            if kind == "task":
                _complete(sim, bundle, step, where, index, locale)
            elif kind == "timer" and not sim.fire_timer(element):
                raise CaseFailed(
                    index,
                    element,
                    f"{where}: expected the timer to be waiting, but {_where(sim)}",
                    f"timer {element} waiting",
                    _where(sim),
                )
            elif kind == "message" and not sim.send_message(element, step.get("data") or {}):
                raise CaseFailed(
                    index,
                    element,
                    f"{where}: expected an event waiting for the message, but {_where(sim)}",
                    f"message {element} awaited",
                    _where(sim),
                )
        except CaseFailed:
            raise
        except Exception as exc:  # noqa: BLE001
            raise CaseFailed(index, element, f"{where}: the process failed: {_reason(exc)}") from exc
    _check_end(sim, case["expected"])


def _reason(exc: Exception) -> str:
    if isinstance(exc, engine.EngineError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _complete(
    sim: engine.Simulation, bundle: engine.Bundle, step: dict, where: str, index: int, locale: str
) -> None:
    task_id, assignee = step["task"], step.get("assignee")
    ready = [
        t for t in sim.ready_tasks() if t.spec_id == task_id and (assignee is None or t.assignee == assignee)
    ]
    if not ready:
        wanted = f"{task_id} waiting" + (f" for {assignee}" if assignee else "")
        raise CaseFailed(
            index, task_id, f"{where}: expected {wanted}, but {_where(sim)}", wanted, _where(sim)
        )
    task = ready[0]
    schema = bundle.forms.get(task.form or "")
    if schema is None:
        raise CaseFailed(
            index,
            task_id,
            f"{where}: the task has no form deployed with it ({task.form!r}), so nobody could complete it",
        )
    data = step.get("data") or {}
    properties = schema.get("properties", {})
    refused = {
        k: ("read-only on the form" if k in properties else "not a field of the form")
        for k in data
        if k not in writable_fields(schema)
    }
    try:
        submitted = accept(schema, data, locale)
    except InvalidInput as exc:
        refused = {**exc.errors, **refused}
        submitted = None
    if refused:
        fields = "; ".join(f"{field}: {message}" for field, message in refused.items())
        raise CaseFailed(
            index,
            task_id,
            f"{where}: {task.form} refuses the data — {fields}",
            "the form accepts the data",
            fields,
        )
    assert submitted is not None  # accept refuses only with errors, raised above
    sim.complete(task.uuid, submitted)


def _difference(expected: Any, got: Any, path: str) -> tuple[str, Any, Any] | None:
    """The first key of ``expected`` the data does not match: (path, expected, got)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for key, value in expected.items():
            if key not in got:
                return f"{path}.{key}", value, "nothing"
            found = _difference(value, got[key], f"{path}.{key}")
            if found:
                return found
        return None
    return None if _matches(expected, got) else (path, expected, got)


def _shown(value: Any) -> str:
    return value if value == "nothing" else json.dumps(value, ensure_ascii=False, default=str)


def _check_end(sim: engine.Simulation, expected: dict) -> None:
    status = "completed" if sim.completed else "waiting"
    if expected["status"] != status:
        raise CaseFailed(
            None,
            None,
            f"end state: expected the process {expected['status']}, but {_where(sim)}",
            expected["status"],
            _where(sim),
        )
    if "end" in expected and expected["end"] != sim.end:
        raise CaseFailed(
            None,
            expected["end"],
            f"end state: expected the end event {expected['end']}, got {sim.end or 'none'}",
            expected["end"],
            sim.end,
        )
    if "ready" in expected:
        wanted, got = sorted(set(expected["ready"])), sorted({t.spec_id for t in sim.ready_tasks()})
        if wanted != got:
            raise CaseFailed(
                None,
                None,
                f"end state: expected waiting {listed(wanted)}, got {listed(got)}",
                listed(wanted),
                listed(got),
            )
    if "data" in expected:
        difference = _difference(expected["data"], sim.data, "data")
        if difference:
            path, want, got = difference
            raise CaseFailed(
                None,
                path,
                f"end state: {path} expected {_shown(want)}, got {_shown(got)}",
                _shown(want),
                _shown(got),
            )
