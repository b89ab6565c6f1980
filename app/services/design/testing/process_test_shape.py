"""What a process tests file (``workflows/<process>.tests.json``) must look like, before any case runs: the
file, its groups' members and the customers' classes a case or a step may give. Each returns the problem
in words, or None."""

from __future__ import annotations

from typing import Any


def shape_problem(spec: Any) -> str | None:
    if not isinstance(spec, dict) or not isinstance(spec.get("process"), str) or not isinstance(spec.get("cases"), list):
        return 'needs {"process": "<process id>", "cases": [...]}'
    return members_problem(spec.get("members", {})) or classes_problem(spec.get("classes", {}))


def members_problem(members: Any) -> str | None:
    if not isinstance(members, dict) or not all(
            isinstance(names, list) and all(isinstance(n, str) for n in names) for names in members.values()):
        return '"members" must map each group to a list of usernames'
    return None


def classes_problem(classes: Any) -> str | None:
    if not isinstance(classes, dict) or not all(isinstance(c, str) for c in classes.values()):
        return '"classes" must map each credit code to a five-category class'
    return None
