"""No query in ``app/`` excludes rows by a nullable column with a bare ``!=``, ``NOT IN`` or ``~ .in_()``.

Such a comparison is unknown for NULL and drops the row: the approvals of every case the system started
(no ``started_by_id``) were in nobody's queue. ``app.services.shared.nullsafe`` says it the NULL-safe way; this test
reads every module of ``app/`` and names each comparison that does not, so the class stays closed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import app.models  # noqa: F401  (the mapped classes)
from app.extensions import db

APP = Path(__file__).resolve().parents[2] / "app"
IDIOM = APP / "services" / "shared" / "nullsafe.py"
EXCLUDING = {"not_in", "notin_"}


def _columns() -> dict[tuple[str, str], bool]:
    """(class name, attribute) of every mapped column -> whether it may hold NULL."""
    found = {}
    for mapper in db.Model.registry.mappers:
        for attribute in mapper.column_attrs:
            found[(mapper.class_.__name__, attribute.key)] = bool(attribute.columns[0].nullable)
    return found


COLUMNS = _columns()
MODELS = {name for name, _ in COLUMNS}


def _nullable(node: ast.AST) -> bool | None:
    """Whether the expression, as written in a query, may be NULL: a nullable column of a model, or any value
    in a JSON column (``Model.summary["grade"].as_string()``); None when it reads no model's column."""
    json_path = False
    while not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node, json_path = node.value, True
        elif isinstance(node, ast.Attribute) and node.attr.startswith("as_"):
            node = node.value
        else:
            return None
    if node.value.id not in MODELS:
        return None
    return json_path or COLUMNS.get((node.value.id, node.attr), True)


def offending(source: str, filename: str = "<query>") -> list[str]:
    """Each bare inequality on a nullable column in ``source``, as ``file:line: code``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Compare) and any(isinstance(op, ast.NotEq) for op in node.ops):
            if any(_nullable(side) for side in [node.left, *node.comparators]):
                found.append(node)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in EXCLUDING
        ):
            if _nullable(node.func.value) is not False:  # an aliased or unknown column counts as nullable
                found.append(node)
        elif (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.Invert)
            and isinstance(node.operand, ast.Call)
            and isinstance(node.operand.func, ast.Attribute)
            and node.operand.func.attr == "in_"
        ):
            if _nullable(node.operand.func.value) is not False:
                found.append(node)
    return [f"{filename}:{n.lineno}: {ast.get_source_segment(source, n)}" for n in found]


def test_no_query_in_the_app_compares_a_nullable_column_unsafely():
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path != IDIOM:
            found += offending(path.read_text(encoding="utf-8"), str(path.relative_to(APP.parent)))
    assert found == [], "use app.services.shared.nullsafe (differs, outside):\n" + "\n".join(found)


def test_the_check_names_the_comparisons_that_lost_the_system_started_cases():
    assert offending("q.where(ProcessInstance.started_by_id != user.id)")
    assert offending("exists().where(worked.lane.not_in(APPROVAL_LANES))")  # an alias: nullable unless known
    assert offending("q.where(~HumanTask.lane.in_(lanes))")
    assert offending(
        'q.where(ProcessInstance.summary["grade"].as_string() != "A")'
    )  # a JSON value may be null
    assert not offending(
        "q.where(Timer.id.not_in(skip), Facility.instance_id != instance.id)"
    )  # NOT NULL columns
    assert not offending("if task.assignee_id != user.id: pass")  # Python, not SQL
    assert not offending(
        "q.where(differs(ProcessInstance.started_by_id, user.id), outside(worked.lane, LANES))"
    )
