"""Fields that belong to a choice: when a field applies, said with JSON Schema ``if``/``then``/``else``.

A rule is an ``if``/``then``/``else`` at the form's top level or in its ``allOf``. A branch that gives a
property the schema ``false`` forbids it: while that branch is taken the field does not apply, so the
page hides it, the server does not check it and drops whatever was posted for it. For example the
reduction share belongs to the action "reduce the limit"::

    {"if": {"properties": {"action": {"const": "reduce_limit"}}, "required": ["action"]},
     "then": {"required": ["reduce_share"]},
     "else": {"properties": {"reduce_share": false}}}

An ``if`` the screens can follow tests the form's own choice fields with ``const`` or ``enum`` (and
``required``): the page shows and hides the fields as the choice changes (``static/forms.js``, from
:func:`client_rules`) exactly as :func:`inapplicable` decides on the server. ``oneOf``, ``anyOf``,
``dependentSchemas`` and ``dependentRequired`` at the top level are refused by the checks: the screens
could not follow them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from app.forms.hints import option_value, primary_type

UNFOLLOWED = ("oneOf", "anyOf", "not", "dependentSchemas", "dependentRequired")


def _same(value: Any, allowed: Any) -> bool:
    """JSON equality: true is not 1."""
    return value == allowed and isinstance(value, bool) == isinstance(allowed, bool)


@dataclass(frozen=True)
class Condition:
    """An ``if``: each tested field's allowed values; a field left empty passes unless required."""

    tests: tuple[tuple[str, tuple[Any, ...]], ...]
    required: tuple[str, ...]

    def holds(self, data: Mapping[str, Any]) -> bool:
        for name, allowed in self.tests:
            value = data.get(name)
            if value is None or value == "":
                if name in self.required:
                    return False
                continue
            if not any(_same(value, option) for option in allowed):
                return False
        return all(data.get(name) not in (None, "") for name in self.required)


@dataclass(frozen=True)
class Rule:
    condition: Condition
    forbidden_then: frozenset[str]  # fields that do not apply while the condition holds
    forbidden_else: frozenset[str]  # fields that do not apply while it does not


def _forbidden(branch: Any) -> frozenset[str]:
    properties = branch.get("properties") if isinstance(branch, Mapping) else None
    if not isinstance(properties, Mapping):
        return frozenset()
    return frozenset(name for name, schema in properties.items() if schema is False)


def _condition(schema: Mapping[str, Any]) -> Condition:
    tests = []
    for name, test in (schema.get("properties") or {}).items():
        allowed = (test["const"],) if "const" in test else tuple(test.get("enum") or ())
        tests.append((name, allowed))
    return Condition(tuple(tests), tuple(schema.get("required") or ()))


def _rule_nodes(schema: Mapping[str, Any], key: str = "if") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """The schema itself and each item of its ``allOf`` that holds ``key``, with where it is."""
    all_of = schema.get("allOf")
    items = all_of if isinstance(all_of, list) else []
    for where, node in [("", schema), *((f"allOf[{i}].", item) for i, item in enumerate(items))]:
        if isinstance(node, Mapping) and isinstance(node.get(key), Mapping):
            yield where, node


def rules_of(schema: Mapping[str, Any]) -> list[Rule]:
    """The rules of a form that passed :func:`problems` (see the module's docstring)."""
    return [
        Rule(_condition(node["if"]), _forbidden(node.get("then")), _forbidden(node.get("else")))
        for _where, node in _rule_nodes(schema)
    ]


def inapplicable(schema: Mapping[str, Any], data: Mapping[str, Any]) -> set[str]:
    """The fields that do not apply to ``data`` (the branch taken forbids them)."""
    out: set[str] = set()
    for rule in rules_of(schema):
        out |= rule.forbidden_then if rule.condition.holds(data) else rule.forbidden_else
    return out


def client_rules(schema: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """When field ``name`` applies, for the page's script: each condition with the option values it allows
    (as the inputs write them) and whether the field applies while it holds. Empty: always applies."""
    found = []
    for rule in rules_of(schema):
        if name in rule.forbidden_then or name in rule.forbidden_else:
            found.append(
                {
                    "tests": {
                        field: [option_value(v) for v in allowed] for field, allowed in rule.condition.tests
                    },
                    "required": list(rule.condition.required),
                    "applies": name in rule.forbidden_else,
                }
            )
    return found


def problems(schema: Mapping[str, Any]) -> list[str]:
    """Why the screens could not follow a form's conditions; empty when they can."""
    found = [
        f"{key}: the screens cannot follow it; say when fields apply with if/then/else on a choice"
        for key in UNFOLLOWED
        if key in schema
    ]
    properties = schema.get("properties") or {}
    always = set(schema.get("required") or [])
    for where, node in _rule_nodes(schema):
        found += _if_problems(node["if"], properties, f"{where}if")
    for branch in ("then", "else"):
        for where, node in _rule_nodes(schema, branch):
            part = node[branch]
            for name in part.get("required") or []:
                if name not in properties:
                    found.append(f"{where}{branch}.required: {name!r} is not a property")
            for name in part.get("properties") or {}:
                if name not in properties:
                    found.append(f"{where}{branch}.properties: {name!r} is not a property")
            for name in _forbidden(part) & always:
                found.append(
                    f"{where}{branch}.properties: {name!r} is always required, so it cannot stop applying"
                )
    return found


def _if_problems(test: Mapping[str, Any], properties: Mapping[str, Any], where: str) -> list[str]:
    found = [
        f"{where}: {key!r} cannot be followed by the screens (only properties and required)"
        for key in test
        if key not in ("properties", "required")
    ]
    tested = test.get("properties") or {}
    for name in [*tested, *(test.get("required") or [])]:
        prop = properties.get(name)
        if not isinstance(prop, Mapping):
            found.append(f"{where}: {name!r} is not a property")
        elif primary_type(prop) == "array":
            found.append(f"{where}: {name!r} holds several values, not one choice")
    for name, value in tested.items():
        if (
            not isinstance(value, Mapping)
            or not value
            or set(value) - {"const", "enum"}
            or ("enum" in value and not isinstance(value["enum"], list))
        ):
            found.append(f"{where}: {name!r} must be tested with const or enum")
    return found
