"""Loading form files safely and checking them for deployment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.forms import FormNotFound, FormSchema, FormSchemaError, check_form_schema, load_form
from app.forms.registry import register_validator, unregister_validator

INTAKE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "application_intake",
    "title": "Credit application",
    "x-title": {"zh_CN": "授信申请"},
    "type": "object",
    "required": ["requested_amount"],
    "properties": {
        "purpose": {"type": "string", "title": "Purpose", "x-title": {"zh_CN": "用途"}},
        "requested_amount": {"type": "number", "title": "Requested amount", "x-widget": "money"},
        "statements": {
            "type": "array",
            "minItems": 2,
            "x-layout": "columns",
            "items": {
                "type": "object",
                "x-order": ["fiscal_year", "total_assets"],
                "properties": {
                    "total_assets": {"type": "number", "title": "Total assets"},
                    "fiscal_year": {"type": "integer", "title": "Fiscal year"},
                },
            },
        },
    },
    "x-order": ["requested_amount", "statements"],
}


@pytest.fixture
def forms_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / "application_intake.json").write_text(json.dumps(INTAKE), encoding="utf-8")
    (tmp_path / "secret.json").write_text(json.dumps(INTAKE), encoding="utf-8")
    return folder


def test_load_with_or_without_json_suffix(forms_dir: Path) -> None:
    form = load_form(forms_dir, "application_intake")
    assert form.name == "application_intake"
    assert load_form(forms_dir, "application_intake.json") is form
    assert form.schema["$id"] == "application_intake"


def test_titles_follow_locale(forms_dir: Path) -> None:
    form = load_form(forms_dir, "application_intake")
    assert form.title("zh_CN") == "授信申请"
    assert form.title("zh-CN") == "授信申请"
    assert form.title("en") == "Credit application"
    assert form.field("purpose").title("zh_CN") == "用途"
    # No x-title: the English title serves both locales.
    assert form.field("requested_amount").title("zh_CN") == "Requested amount"


def test_fields_in_x_order_then_the_rest(forms_dir: Path) -> None:
    form = load_form(forms_dir, "application_intake")
    assert [f.name for f in form.fields()] == ["requested_amount", "statements", "purpose"]
    assert form.field("requested_amount").required
    assert not form.field("purpose").required
    rows = form.field("statements").item_fields()
    assert [r.name for r in rows] == ["fiscal_year", "total_assets"]
    assert all(r.parent == "statements" for r in rows)


def test_cache_is_refreshed_when_the_file_changes(forms_dir: Path) -> None:
    path = forms_dir / "application_intake.json"
    first = load_form(forms_dir, "application_intake")
    changed = {**INTAKE, "title": "Changed"}
    path.write_text(json.dumps(changed), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    second = load_form(forms_dir, "application_intake")
    assert second is not first
    assert second.title("en") == "Changed"


@pytest.mark.parametrize(
    "name",
    [
        "../secret",
        "../secret.json",
        "sub/application_intake",
        "/etc/passwd",
        "..",
        ".hidden",
        "a\\b",
        "",
        "x\x00",
        "application_intake\n",
    ],
)
def test_path_traversal_is_refused(forms_dir: Path, name: str) -> None:
    with pytest.raises(FormNotFound):
        load_form(forms_dir, name)


def test_symlink_out_of_the_folder_is_refused(forms_dir: Path) -> None:
    (forms_dir / "link.json").symlink_to(forms_dir.parent / "secret.json")
    with pytest.raises(FormNotFound):
        load_form(forms_dir, "link")


def test_missing_form_names_the_file(forms_dir: Path) -> None:
    with pytest.raises(FormNotFound, match="nope.json"):
        load_form(forms_dir, "nope")


def test_broken_json_and_bad_schema_raise_form_schema_error(forms_dir: Path) -> None:
    (forms_dir / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(FormSchemaError, match="not valid JSON"):
        load_form(forms_dir, "broken")
    bad = {**INTAKE, "properties": {"x": {"type": "number", "x-widget": "slider"}}}
    (forms_dir / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(FormSchemaError) as caught:
        load_form(forms_dir, "bad")
    assert any("slider" in p for p in caught.value.problems)


def test_deeply_nested_json_is_a_form_schema_error_not_a_crash(forms_dir: Path) -> None:
    (forms_dir / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(FormSchemaError, match="nested too deeply"):
        load_form(forms_dir, "deep")
    nested: dict[str, Any] = {}
    for _ in range(150):  # parses, but would exhaust the stack in jsonschema's meta-validation
        nested = {"type": "object", "properties": {"a": nested}}
    assert check_form_schema(nested) == ["the form is nested more than 32 levels deep"]


def test_a_dict_schema_works_where_a_form_schema_is_expected() -> None:
    form = FormSchema("intake", INTAKE)
    assert [f.name for f in form.fields()][0] == "requested_amount"


def test_good_form_has_no_problems() -> None:
    assert check_form_schema(INTAKE) == []


def _with(prop: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**INTAKE, "properties": {**INTAKE["properties"], "field": prop}, **top}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (_with({"type": "nonsense"}), "not a valid JSON Schema"),
        (_with({"type": "number", "minimum": "zero"}), "not a valid JSON Schema"),
        (_with({"type": "string", "x-widget": "slider"}), "x-widget 'slider' is not one of"),
        (_with({"type": "string", "x-widget": "money"}), "needs type number or integer"),
        (_with({"type": "string", "x-widget": "radio"}), "needs an enum"),
        (_with({"type": "number", "x-widget": "textarea"}), "needs type string"),
        (
            _with(
                {"type": "string", "enum": ["a", "b"], "x-enum-titles": {"zh_CN": ["甲"], "en": ["A", "B"]}}
            ),
            "x-enum-titles.zh_CN has 1 titles for 2 enum values",
        ),
        (_with({"type": "string", "x-enum-titles": {"en": ["A"]}}), "x-enum-titles without an enum"),
        (_with({"type": "string", "x-title": "用途"}), "x-title must map locales"),
        (
            _with({"type": "object", "properties": {"a": {"type": "string"}}}),
            "nested objects are not supported",
        ),
        (_with({"type": "array", "items": {"type": "string"}}), "arrays need object items"),
        (
            _with(
                {"type": "array", "x-layout": "grid", "items": {"type": "object", "properties": {"a": {}}}}
            ),
            'x-layout must be "columns" or "rows"',
        ),
        (_with({"type": "string"}, required=["missing"]), "'missing' is not a property"),
        (_with({"type": "string"}, **{"x-order": ["ghost"]}), "x-order: 'ghost' is not a property"),
        (_with({"type": "string"}, then={"required": ["ghost"]}), "then.required: 'ghost'"),
        (
            _with({"type": "string"}, **{"$schema": "http://json-schema.org/draft-07/schema#"}),
            "$schema must be",
        ),
    ],
)
def test_check_form_schema_names_each_problem(schema: dict[str, Any], expected: str) -> None:
    problems = check_form_schema(schema)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("name", ['x"><img src=x onerror=alert(1)>', "1st_year", "total-assets", "资产", ""])
def test_property_names_must_be_plain_identifiers(name: str) -> None:
    top = _with({"type": "string"})
    top["properties"][name] = top["properties"].pop("field")
    statements = INTAKE["properties"]["statements"]
    rows = {**statements["items"]["properties"], name: {"type": "number"}}
    nested = _with({**statements, "items": {**statements["items"], "properties": rows}})
    assert check_form_schema(top) == [
        f"properties: {name!r} is not a usable property name (letters, digits and _ only, not starting with a digit)"
    ]
    assert any(
        p.startswith(f"properties.field.items.properties: {name!r} is not a usable")
        for p in check_form_schema(nested)
    )


def test_check_form_schema_refuses_a_non_object() -> None:
    assert check_form_schema([]) == ["the form must be a JSON object"]


def test_check_form_schema_knows_registered_validators() -> None:
    schema = _with({"type": "string", "x-validator": "uscc_test"})
    assert any("x-validator 'uscc_test' is not registered" in p for p in check_form_schema(schema))
    assert check_form_schema(schema, validators=["uscc_test"]) == []
    register_validator("uscc_test", str.upper)
    try:
        assert check_form_schema(schema) == []
    finally:
        unregister_validator("uscc_test")
