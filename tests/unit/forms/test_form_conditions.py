"""Fields that belong to a choice (JSON Schema if/then/else): shown, checked and kept only while they apply,
for every shipped form; conditions the screens cannot follow are refused."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from app.forms import FormSchema, check_form_schema, clean_form, load_form, register_template_helpers
from app.forms.conditions import client_rules, inapplicable, rules_of
from app.forms.hints import option_value
from tests.unit.forms.test_forms_render import render

FORMS = Path(__file__).resolve().parents[3] / "forms"
TEMPLATES = Path(__file__).resolve().parents[3] / "app" / "templates"
RISK_REVIEW = load_form(FORMS, "risk_review")


@pytest.fixture(scope="module")
def app() -> Flask:
    flask_app = Flask(__name__, template_folder=str(TEMPLATES))
    register_template_helpers(flask_app)
    return flask_app


def decided(**fields: Any) -> dict[str, Any]:
    return {"expected_loss_pct": 5, "review_comment": "压降额度，按月跟踪。", **fields}


def test_a_reduction_is_accepted_whatever_the_term_and_margin_fields_hold():
    """The submission the risk manager saw refused: 压降额度 with "期限缩短至（月）" left at 0."""
    cleaned, errors = clean_form(
        RISK_REVIEW, decided(action="reduce_limit", reduce_share=0.3, term_months=0, margin_add_pct=0)
    )
    assert errors == {}
    assert cleaned["reduce_share"] == 0.3 and "term_months" not in cleaned and "margin_add_pct" not in cleaned


def test_a_field_that_applies_is_still_required_and_checked():
    _cleaned, errors = clean_form(RISK_REVIEW, decided(action="shorten_term"), "en")
    assert set(errors) == {"term_months"} and "required" in errors["term_months"]
    _cleaned, errors = clean_form(RISK_REVIEW, decided(action="shorten_term", term_months=0), "en")
    assert set(errors) == {"term_months"}
    _cleaned, errors = clean_form(RISK_REVIEW, decided(action="reduce_limit", reduce_share=0), "en")
    assert set(errors) == {"reduce_share"}  # a reduction of nothing


def test_the_sizes_a_risk_manager_would_choose_are_the_defaults():
    defaults = {
        name: RISK_REVIEW.field(name).schema.get("default")
        for name in ("reduce_share", "margin_add_pct", "term_months")
    }
    assert defaults == {"reduce_share": 0.2, "margin_add_pct": 0.5, "term_months": 12}


@pytest.mark.parametrize(
    "action, applies",
    [
        ("reduce_limit", {"reduce_share"}),
        ("raise_margin", {"margin_add_pct"}),
        ("shorten_term", {"term_months"}),
        ("freeze", set()),
        ("exit", set()),
        (None, set()),
    ],
)
def test_each_action_has_its_own_fields(action, applies):
    sizes = {"reduce_share", "margin_add_pct", "term_months"}
    assert sizes - inapplicable(RISK_REVIEW.schema, {"action": action}) == applies


def shipped_cases() -> list[tuple[str, str, Any]]:
    """(form, the choice field a condition tests, one of its options) for every shipped form with rules."""
    cases = []
    for path in sorted(FORMS.glob("*.json")):
        form = load_form(FORMS, path.stem)
        for rule in rules_of(form.schema):
            for name, _allowed in rule.condition.tests:
                options = [v for v, _label in form.field(name).options()] + [None]
                cases += [(path.stem, name, option) for option in options]
    return sorted(set(cases), key=repr)


class Boxes(HTMLParser):
    """The conditional boxes of a rendered form and whether each is hidden, by the field inside."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.hidden: dict[str, bool] = {}
        self._box: bool | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-applies-when" in found:
            self._box = "hidden" in found
        elif self._box is not None and (found.get("id") or "").startswith("f-"):
            self.hidden.setdefault(found["id"][2:].split("-")[0], self._box)
            self._box = None


def test_the_shipped_forms_with_choices_are_the_ones_expected():
    dependent = {
        path.stem
        for path in FORMS.glob("*.json")
        if any(r.forbidden_then | r.forbidden_else for r in rules_of(json.loads(path.read_text())))
    }
    assert dependent == {
        "risk_review",
        "control_approval",
        "approval_signoff",
        "review_proposal",
        "sampling_review",
        "post_loan_inspection",
        "inspection_signoff",
    }


@pytest.mark.parametrize("form_name, choice, option", shipped_cases())
def test_every_shipped_form_shows_and_keeps_only_what_applies_to_the_choice(app, form_name, choice, option):
    form = load_form(FORMS, form_name)
    data = {choice: option} if option is not None else {}
    dropped = inapplicable(form.schema, data)
    boxes = Boxes(render(app, "{{ render_form(form, data, {}, 'zh_CN') }}", form=form, data=data)).hidden
    conditional = {f.name for f in form.fields() if client_rules(form.schema, f.name)}
    assert set(boxes) == conditional
    assert {name for name, hidden in boxes.items() if hidden} == dropped
    junk = {name: "?" for name in dropped if not form.field(name).read_only}
    cleaned, errors = clean_form(form, {**data, **junk})
    assert not set(errors) & dropped and not set(cleaned) & set(junk)  # never checked, never kept


def test_the_page_script_reads_the_options_as_the_inputs_write_them():
    [rule] = client_rules(RISK_REVIEW.schema, "term_months")
    assert rule == {"tests": {"action": ["shorten_term"]}, "required": ["action"], "applies": True}
    assert option_value(True) == "true"


BASE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["action"],
    "properties": {
        "action": {"type": "string", "enum": ["a", "b"]},
        "size": {"type": "number"},
        "tags": {"type": "array", "items": {"enum": ["x", "y"]}},
    },
}


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({"oneOf": [{"required": ["size"]}]}, "oneOf: the screens cannot follow it"),
        (
            {"dependentSchemas": {"action": {"required": ["size"]}}},
            "dependentSchemas: the screens cannot follow it",
        ),
        (
            {"if": {"properties": {"action": {"pattern": "^a"}}}, "then": {}},
            "'action' must be tested with const or enum",
        ),
        ({"if": {"properties": {"ghost": {"const": 1}}}, "then": {}}, "if: 'ghost' is not a property"),
        ({"if": {"properties": {"tags": {"const": ["x"]}}}, "then": {}}, "'tags' holds several values"),
        ({"if": {"minProperties": 2}, "then": {}}, "'minProperties' cannot be followed"),
        (
            {
                "allOf": [
                    {
                        "if": {"properties": {"action": {"const": "a"}}},
                        "else": {"properties": {"action": False}},
                    }
                ]
            },
            "allOf[0].else.properties: 'action' is always required",
        ),
        (
            {"if": {"properties": {"action": {"const": "a"}}}, "then": {"properties": {"ghost": False}}},
            "then.properties: 'ghost' is not a property",
        ),
    ],
)
def test_conditions_the_screens_cannot_follow_are_refused(extra, expected):
    problems = check_form_schema({**BASE, **extra})
    assert any(expected in p for p in problems), problems


def test_a_followable_condition_passes_the_checks():
    schema = {
        **BASE,
        "if": {"properties": {"action": {"const": "a"}}, "required": ["action"]},
        "then": {"required": ["size"]},
        "else": {"properties": {"size": False}},
    }
    assert check_form_schema(schema) == []
    assert (
        inapplicable(schema, {"action": "b"}) == {"size"} and inapplicable(schema, {"action": "a"}) == set()
    )
    assert FormSchema("x", schema).field("size") is not None
